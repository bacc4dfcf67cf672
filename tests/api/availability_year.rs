//! Issue 23, 3: a year's availability is computed only as far as it is
//! answered: the search reads the window's first days, and further only
//! when the answer needs it. The answer is what the whole window gives:
//! bookings and blackouts weeks and months out cut it, and a free stretch
//! runs whole across midnights and the edges of each read.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use crate::bookings::urlencode;
use crate::helpers::{open_room, sh, spawn_app};

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

/// The answer's windows as (resource, start, end).
fn windows(v: &Value) -> Vec<(i64, DateTime<FixedOffset>, DateTime<FixedOffset>)> {
    v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["resource_id"].as_i64().unwrap(),
                at(s["starts_at"].as_str().unwrap()),
                at(s["ends_at"].as_str().unwrap()),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_year_is_cut_by_what_lies_months_out_and_runs_whole_across_reads() {
    let app = spawn_app().await;
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let staff = app.staff("alpha", "Li Na").await;
    // Open all day, every day: free time runs across midnight.
    let hall = app.resource("alpha", &admin, open_room("Hall")).await;
    let studio = app.resource("alpha", &admin, open_room("Studio")).await;
    // Past the first read (two days) and the next (sixteen): three weeks
    // out, the fifth month, and a booking across the midnight of day 200.
    for (from, to) in [(sh(20, 10, 0), sh(20, 11, 0)), (sh(200, 23, 0), sh(201, 1, 0))] {
        let res = app
            .book(
                "alpha",
                &staff,
                json!({"resource_id": hall, "starts_at": from, "ends_at": to, "purpose": "choir"}),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    let res = app
        .post(
            &format!("/api/v1/sites/alpha/resources/{hall}/blackouts"),
            &json!({"starts_at": sh(140, 0, 0), "ends_at": sh(142, 0, 0), "reason": "painting"}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201);

    let year = format!(
        "from={}&to={}",
        urlencode(&sh(1, 0, 0)),
        urlencode(&sh(367, 0, 0))
    );
    let hall_free = vec![
        (hall, at(&sh(1, 0, 0)), at(&sh(20, 10, 0))),
        (hall, at(&sh(20, 11, 0)), at(&sh(140, 0, 0))),
        (hall, at(&sh(142, 0, 0)), at(&sh(200, 23, 0))),
        (hall, at(&sh(201, 1, 0)), at(&sh(367, 0, 0))),
    ];
    let res = app
        .get(
            &format!("/api/v1/sites/alpha/availability?resource_id={hall}&{year}"),
            Some(&staff.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(windows(&res.json().await.unwrap()), hall_free);

    // Both rooms: by start, then room.
    let res = app
        .get(
            &format!("/api/v1/sites/alpha/availability?kind=room&{year}"),
            Some(&staff.token),
        )
        .await;
    assert_eq!(res.status(), 200);
    let mut both = hall_free.clone();
    both.insert(1, (studio, at(&sh(1, 0, 0)), at(&sh(367, 0, 0))));
    assert!(hall < studio);
    assert_eq!(windows(&res.json().await.unwrap()), both);
}
