//! Hostile testing of what every answer carries and what the server waits
//! for (issue 19, items 10 and 13): security headers on a sample of routes,
//! `/metrics` kept to this machine or its token, and a body that trickles
//! in cut off.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{} lacks {name}", res.url()))
        .to_owned()
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let staff = app.staff("alpha", "Li Na").await;
    // (path, bearer token, an HTML page, carries a person's data or a token)
    let sample: [(&str, Option<&str>, bool, bool); 8] = [
        ("/healthz", None, false, false),
        ("/api/v1/me", Some(&staff.token), false, false),
        ("/login", None, true, true),
        ("/reset-password?token=from-the-mail", None, true, true),
        ("/accept-invite?token=from-the-mail", None, true, true),
        ("/api-docs/", None, true, false),
        ("/assets/app.css", None, false, false),
        ("/no/such/page", None, false, false),
    ];
    for (path, token, html, private) in sample {
        let res = app.get(path, token).await;
        assert!(res.status().as_u16() < 500, "{path}: {}", res.status());
        assert_eq!(header(&res, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&res, "x-frame-options"), "DENY", "{path}");
        assert_eq!(header(&res, "referrer-policy"), "no-referrer", "{path}");
        let csp = header(&res, "content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        if html {
            assert!(header(&res, "content-type").starts_with("text/html"), "{path}");
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("script-src 'self' 'unsafe"),
                "{path}: {csp}"
            );
        }
        if private {
            assert_eq!(header(&res, "cache-control"), "no-store", "{path}");
        }
    }
    // Tokens are never stored by a cache on the way.
    let res = app.login(&staff.email, crate::helpers::PASSWORD).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "cache-control"), "no-store");
}

async fn metrics(app: &TestApp, forwarded_for: Option<&str>, token: Option<&str>) -> u16 {
    let mut req = app.client.get(app.url("/metrics"));
    if let Some(from) = forwarded_for {
        req = req.header("X-Forwarded-For", from);
    }
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.expect("request").status().as_u16()
}

#[tokio::test]
async fn metrics_are_for_this_machine_or_the_metrics_token() {
    let app = spawn_app_with(|s| {
        s.trusted_proxies = Some("127.0.0.1".to_owned());
        s.metrics_token = Some("metrics-token-0123456789".to_owned());
    })
    .await;
    assert_eq!(metrics(&app, None, None).await, 200, "from this machine");
    assert_eq!(
        metrics(&app, Some("203.0.113.7"), None).await,
        403,
        "from outside"
    );
    assert_eq!(metrics(&app, Some("203.0.113.7"), Some("wrong")).await, 403);
    assert_eq!(
        metrics(&app, Some("203.0.113.7"), Some("metrics-token-0123456789")).await,
        200
    );
    // A proxy that is not trusted but relays from this machine does not
    // make its callers local.
    let plain = spawn_app().await;
    assert_eq!(metrics(&plain, None, None).await, 200);
    assert_eq!(metrics(&plain, Some("203.0.113.7"), None).await, 403);
}

#[tokio::test]
async fn a_body_that_trickles_in_is_cut_off() {
    let app = spawn_app_with(|s| s.body_timeout_seconds = 1).await;
    let stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .expect("connect");
    let (mut rd, mut wr) = stream.into_split();
    wr.write_all(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
Content-Length: 200\r\n\r\n{",
    )
    .await
    .unwrap();
    // One byte every quarter second: never idle long, never done.
    let trickle = tokio::spawn(async move {
        for _ in 0..40 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if wr.write_all(b" ").await.is_err() {
                break;
            }
        }
    });
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(6), async {
        let mut chunk = [0u8; 1024];
        loop {
            match rd.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    trickle.abort();
    assert!(
        read.is_ok(),
        "the server was still waiting for the body after 6 s"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("/problems/request-timeout"), "{answer}");
}
