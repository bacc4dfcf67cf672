//! Issue 19, 3: a crowd of year-long availability searches on a site of
//! 200 rooms. They compute off the connection pool, a few at a time; the
//! rest are told to come back (429 with `Retry-After`), nobody gets 503,
//! memory stays bounded, and someone else's `GET /me` stays quick.
//!
//! Since issue 23 a year's first 500 windows are found from its first days,
//! quickly; the crowd asks for a length that fits nowhere, the search that
//! still reads and computes the whole year for every room.
//!
//! A bounded load test: 40 searches at once, one person reading `/me`
//! meanwhile. Memory is the resident size of this test process (the app
//! runs inside it), sampled while the searches run, over what it was
//! before they started; run alone (`cargo test --test api heavy_reads`)
//! nothing else adds to it. Figures are in docs/performance.md.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::bookings::urlencode;
use crate::helpers::{open_room, sh, spawn_app};
use livingroom::domain::person::Roles;

/// A line of `/proc/self/status`, in kB.
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

const ROOMS: usize = 200;
const SEARCHES: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crowd_of_year_long_searches_waits_its_turn_and_others_stay_quick() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    // Open three times a day, Monday to Saturday: many windows to compute.
    let hours: Value = ["mon", "tue", "wed", "thu", "fri", "sat"]
        .iter()
        .map(|d| {
            (
                (*d).to_owned(),
                json!(["08:30-11:30", "13:30-17:00", "18:30-21:00"]),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    for i in 0..ROOMS {
        let mut room = open_room(&format!("Room {i}"));
        room["opening_hours"] = hours.clone();
        app.resource("alpha", &admin, room).await;
    }
    let searcher = app.quick_member("alpha", Roles::VOLUNTEER).await;
    let someone_else = app.quick_member("alpha", Roles::STAFF).await;
    let url = app.url(&format!(
        "/api/v1/sites/alpha/availability?kind=room&from={}&to={}",
        urlencode(&sh(1, 0, 0)),
        urlencode(&sh(367, 0, 0))
    ));
    // Warm: the first search alone answers, with the most windows one
    // answer lists.
    let first = app
        .client
        .get(&url)
        .bearer_auth(&searcher.token)
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["slots"].as_array().unwrap().len(), 500);
    // The longest opening is 3.5 hours: four fit nowhere, all year.
    let url = format!("{url}&duration_minutes=240");
    let nowhere = app
        .client
        .get(&url)
        .bearer_auth(&searcher.token)
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status(), 200);
    let nowhere: Value = nowhere.json().await.unwrap();
    assert_eq!(nowhere["slots"].as_array().unwrap().len(), 0);

    let before_kb = status_kb("VmRSS");
    let started = Instant::now();
    let searches: Vec<_> = (0..SEARCHES)
        .map(|_| {
            let (client, url, token) = (app.client.clone(), url.clone(), searcher.token.clone());
            tokio::spawn(async move {
                let res = client.get(&url).bearer_auth(&token).send().await.unwrap();
                let retry_after = res.headers().get("retry-after").is_some();
                (res.status().as_u16(), retry_after)
            })
        })
        .collect();

    let mut me_times = Vec::new();
    let mut peak_kb = before_kb;
    while !searches.iter().all(|s| s.is_finished()) {
        let t = Instant::now();
        let res = app.get("/api/v1/me", Some(&someone_else.token)).await;
        me_times.push(t.elapsed());
        assert_eq!(res.status(), 200, "GET /me while the searches run");
        peak_kb = peak_kb.max(status_kb("VmRSS"));
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the searches never finished"
        );
    }
    let mut answers = Vec::new();
    for s in searches {
        answers.push(s.await.unwrap());
    }
    let took = started.elapsed();
    me_times.sort();
    let p99 = me_times[(me_times.len() * 99 / 100).min(me_times.len() - 1)];
    let ok = answers.iter().filter(|(s, _)| *s == 200).count();
    let turned_away = answers.iter().filter(|(s, _)| *s == 429).count();
    let grown_mb = peak_kb.saturating_sub(before_kb) / 1024;
    eprintln!(
        "heavy_reads: {SEARCHES} searches over {ROOMS} rooms: {ok} answered, {turned_away} told to retry, in {took:?}; \
         GET /me x{} p99 {p99:?} max {:?}; resident size grew {grown_mb} MB (peak {} MB, process high-water mark {} MB)",
        me_times.len(),
        me_times.last().unwrap(),
        peak_kb / 1024,
        status_kb("VmHWM") / 1024,
    );

    assert!(
        answers.iter().all(|(s, _)| *s == 200 || *s == 429),
        "only answers or 429, never 503: {answers:?}"
    );
    assert!(ok >= 1, "some searches are answered: {answers:?}");
    assert!(
        turned_away >= 1,
        "the crowd beyond the turns is told to retry: {answers:?}"
    );
    assert!(
        answers.iter().filter(|(s, _)| *s == 429).all(|(_, retry)| *retry),
        "429 says when to retry"
    );
    assert!(grown_mb < 200, "memory grew {grown_mb} MB");
    // Generous for a debug build on a shared machine; the release figure
    // is in docs/performance.md.
    assert!(p99 < Duration::from_millis(500), "GET /me p99 {p99:?}");
}
