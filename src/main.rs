fn main() -> std::process::ExitCode {
    tame_malloc();
    livingroom::cli::main()
}

/// glibc's allocator keeps freed memory in one arena per thread and, after
/// the first large block is freed, serves later large blocks from those
/// arenas too. Password hashing (argon2: 19 MiB a hash, on whichever
/// blocking thread runs it) then leaves tens of MiB resident per thread for
/// good. A fixed mmap threshold returns large blocks to the system on free,
/// and two arenas bound what small-block churn can pin.
#[allow(unsafe_code)]
fn tame_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator; called before any thread
    // starts, with documented parameters.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
