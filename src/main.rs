fn main() -> std::process::ExitCode {
    livingroom::cli::main()
}
