//! The demo is a living committee on first start (issue 20, 14): a month of
//! bookings on the computers and rooms, a hall request waiting for
//! approval, a computer request waiting in line, Dr Chen on the Tuesday
//! blood-pressure duty, next year's holidays with a make-up Saturday, and
//! names as people give them with the English beside them.

use chrono::{Datelike, Duration, Utc, Weekday};
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};
use livingroom::demo::{ADMIN_EMAIL, DEMO_PASSWORD};

async fn load_demo(app: &TestApp) {
    let db = app.db.clone();
    let info = tokio::task::spawn_blocking(move || livingroom::demo::load(&db))
        .await
        .expect("join")
        .expect("the demo loads");
    assert!(info.created);
}

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    let res = app.get(path, Some(token)).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

#[tokio::test]
async fn the_demo_shows_a_living_committee() {
    let app = spawn_app().await;
    load_demo(&app).await;
    let secretary = app.token_for_password(ADMIN_EMAIL, DEMO_PASSWORD).await;
    let now = Utc::now();
    let q = |t: chrono::DateTime<Utc>| t.to_rfc3339().replace('+', "%2B");

    // A month of bookings: the last two weeks and the next two.
    let past = get(
        &app,
        &format!(
            "/api/v1/sites/demo/bookings?from={}&to={}&limit=100",
            q(now - Duration::days(14)),
            q(now)
        ),
        &secretary,
    )
    .await;
    let ahead = get(
        &app,
        &format!(
            "/api/v1/sites/demo/bookings?from={}&to={}&limit=100",
            q(now),
            q(now + Duration::days(14))
        ),
        &secretary,
    )
    .await;
    for (when, page) in [("past", &past), ("ahead", &ahead)] {
        let items = page["items"].as_array().unwrap();
        let on = |what: &str| {
            items
                .iter()
                .filter(|b| b["resource_name"].as_str().unwrap_or("").contains(what))
                .count()
        };
        assert!(on("共享电脑") >= 10, "{when}: computers in use");
        assert!(
            on("阅览室") + on("谈心室") + on("多功能厅") >= 3,
            "{when}: rooms in use"
        );
        let people: std::collections::BTreeSet<&str> =
            items.iter().filter_map(|b| b["owner"].as_str()).collect();
        assert!(people.len() >= 4, "{when}: by different people: {people:?}");
    }

    // The hall needs the secretary's approval: a request waits for her.
    let pending = get(
        &app,
        &format!(
            "/api/v1/sites/demo/bookings?status=pending&from={}&to={}",
            q(now),
            q(now + Duration::days(40))
        ),
        &secretary,
    )
    .await;
    let pending = pending["items"].as_array().unwrap();
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert!(
        pending[0]["resource_name"]
            .as_str()
            .unwrap()
            .starts_with("多功能厅")
    );

    // A computer request waiting in line (its owner sees it).
    let sun_lei = app
        .token_for_password("sun.lei@livingroom.example", DEMO_PASSWORD)
        .await;
    let waiting = get(&app, "/api/v1/sites/demo/waitlist", &sun_lei).await;
    let waiting = waiting["items"].as_array().unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0]["status"], "waiting");
    assert_eq!(waiting[0]["pool"], "computers");

    // Next year's holidays, with a make-up working Saturday.
    let cal = get(&app, "/api/v1/sites/demo/calendar", &secretary).await;
    let next_year = now.year() + 1;
    let dates = |key: &str| -> Vec<chrono::NaiveDate> {
        cal[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().parse().unwrap())
            .collect()
    };
    let holidays = dates("holidays");
    assert!(holidays.contains(&chrono::NaiveDate::from_ymd_opt(next_year, 10, 1).unwrap()));
    assert!(holidays.len() >= 13, "{holidays:?}");
    let workdays = dates("workdays");
    assert!(
        workdays
            .iter()
            .any(|d| d.year() == next_year && d.weekday() == Weekday::Sat),
        "{workdays:?}"
    );

    // Dr Chen on the Tuesday blood-pressure duty, every week.
    let today = now.date_naive();
    let duties = get(
        &app,
        &format!(
            "/api/v1/sites/demo/duties?from={today}&to={}",
            today + Duration::days(8)
        ),
        &secretary,
    )
    .await;
    let tuesday = duties["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"].as_str().unwrap().starts_with("量血压"))
        .expect("a blood-pressure morning in the week");
    assert_eq!(tuesday["signed_up"][0]["name"], "陈梅");

    // Names as people give them, the English beside them.
    let members = get(&app, "/api/v1/sites/demo/members?limit=100", &secretary).await;
    let lin = members["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "qipao.lead@livingroom.example")
        .unwrap();
    assert_eq!(lin["name"], "林阿姨");
    assert_eq!(lin["other_name"], "Auntie Lin");
}
