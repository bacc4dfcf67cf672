//! `healthcheck`: asks this container's livingroom whether it is ready
//! (`GET /readyz`), for the Dockerfile's HEALTHCHECK.
//!
//! The runtime image has no shell, curl or wget, and the `livingroom`
//! binary has no probe command of its own, so this is one file of the
//! standard library only, built by `rustc` in the Dockerfile's build stage
//! (no crates, nothing fetched). It reads the same `LIVINGROOM_BIND` as the
//! server, so it knocks where the server listens; an unspecified address
//! (`0.0.0.0`, `[::]`) is reached through loopback.
//!
//! Exit 0: the server answered 200. Exit 1: anything else (no answer
//! within the timeout, 503 while the database does not answer, ...), which
//! is what Docker's HEALTHCHECK counts as unhealthy.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(3);

fn main() -> ExitCode {
    let bind = std::env::var("LIVINGROOM_BIND").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    match probe(&bind) {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("healthcheck: {why}");
            ExitCode::FAILURE
        }
    }
}

fn probe(bind: &str) -> Result<(), String> {
    let mut target = bind
        .to_socket_addrs()
        .map_err(|e| format!("LIVINGROOM_BIND {bind:?}: {e}"))?
        .next()
        .ok_or_else(|| format!("LIVINGROOM_BIND {bind:?} names no address"))?;
    if target.ip().is_unspecified() {
        let loopback = match target.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        };
        target = SocketAddr::new(loopback, target.port());
    }
    let mut stream = TcpStream::connect_timeout(&target, TIMEOUT)
        .map_err(|e| format!("cannot connect to {target}: {e}"))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    let request = format!("GET /readyz HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("cannot ask {target}: {e}"))?;
    // The status line is all we need; /readyz answers a few bytes.
    let mut answer = Vec::new();
    stream
        .take(4096)
        .read_to_end(&mut answer)
        .map_err(|e| format!("no answer from {target}: {e}"))?;
    let answer = String::from_utf8_lossy(&answer);
    let status = answer.lines().next().unwrap_or("");
    if status.starts_with("HTTP/1.1 200 ") || status.starts_with("HTTP/1.0 200 ") {
        Ok(())
    } else {
        Err(format!("{target}/readyz answered {status:?}"))
    }
}
