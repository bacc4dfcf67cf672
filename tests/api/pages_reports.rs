//! 管理 → 报表 (issue 22): the report pages show a small fixture's figures
//! in the table and the chart, the CSV download is the report's table, a
//! staff member is refused, and wrong dates come back next to their
//! fields with a 422.

use chrono::{Datelike, Duration, NaiveDate};
use livingroom::domain::person::Roles;
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, spawn_app};
use crate::web::{get, page, sign_in};

struct Fixture {
    admin: Person,
    today: NaiveDate,
}

/// One weekly duty, 08:00–10:00 on yesterday's weekday, held yesterday and
/// a week before. Chen Mei came both times (2 × 2 h = 4.00 h), Dr Huang
/// walked in yesterday (2.00 h): 6.00 h in all, 3 attendances.
async fn fixture(app: &TestApp) -> Fixture {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    let today = chrono::Utc::now().with_timezone(&tz).date_naive();
    let yesterday = today - Duration::days(1);
    let weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        [yesterday.weekday().num_days_from_monday() as usize];
    let res = app
        .post(
            "/api/v1/sites/alpha/duties",
            &json!({"name": "阅览室值班", "weekday": weekday, "start": "08:00", "end": "10:00", "capacity": 2}),
            Some(&admin.token),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let duty = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    app.db
        .write(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::duties;
            diesel::update(duties::table.find(duty))
                .set(duties::from_date.eq(yesterday - Duration::weeks(2)))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
    // A room nobody booked: a row of zeros and one of the rooms that sat
    // empty.
    app.resource(
        "alpha",
        &admin,
        json!({"name": "活动室", "kind": "room", "capacity": 20}),
    )
    .await;
    let chen = app.member("alpha", "Chen Mei", Roles::VOLUNTEER, &[]).await;
    let huang = app.member("alpha", "Dr Huang", Roles::VOLUNTEER, &[]).await;
    for (who, date) in [
        (&chen, yesterday - Duration::days(7)),
        (&chen, yesterday),
        (&huang, yesterday),
    ] {
        let res = app
            .post(
                &format!("/api/v1/sites/alpha/duties/{duty}/attendance"),
                &json!({"date": date, "volunteer_id": who.id, "status": "attended"}),
                Some(&admin.token),
            )
            .await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    }
    Fixture { admin, today }
}

/// The rows of the page's first report table (header row left out): each
/// row's cells as text.
fn table_rows(html: &str) -> Vec<Vec<String>> {
    let start = html.find("<table class=\"report\"").expect("a report table");
    let end = start + html[start..].find("</table>").unwrap();
    html[start..end]
        .split("<tr")
        .skip(2)
        .map(|row| {
            let mut cells = Vec::new();
            let mut rest = row;
            while let Some(at) = rest.find("</t") {
                if !rest[at..].starts_with("</tr") {
                    let cell = &rest[..at];
                    cells.push(cell[cell.rfind('>').map_or(0, |i| i + 1)..].trim().to_owned());
                }
                rest = &rest[at + 3..];
            }
            cells
        })
        .collect()
}

#[tokio::test]
async fn the_secretary_reads_a_report_as_chart_table_and_csv() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let cookie = sign_in(&app, &f.admin.email).await;

    // The console links the reports; the list names all five.
    let (status, home) = page(&app, "/s/alpha/console", &cookie).await;
    assert_eq!(status, 200);
    assert!(home.contains(r#"href="/s/alpha/console/reports""#));
    let (status, list) = page(&app, "/s/alpha/console/reports", &cookie).await;
    assert_eq!(status, 200);
    assert!(list.contains(r#"href="/s/alpha/console/reports" aria-current="page""#));
    for name in ["rooms", "computers", "front-desk", "volunteers", "summary"] {
        assert!(
            list.contains(&format!("/s/alpha/console/reports/{name}\"")),
            "{name}"
        );
    }

    let (status, html) = page(&app, "/s/alpha/console/reports/volunteers", &cookie).await;
    assert_eq!(status, 200, "{html}");
    let from = f.today - Duration::days(29);
    assert!(html.contains(&format!(r#"value="{from}""#)), "the default period");
    // The table: a row per volunteer and duty, the totals row last.
    let rows = table_rows(&html);
    assert!(
        rows.iter().any(|r| r[..3] == ["Chen Mei", "阅览室值班", "4.00"]),
        "{rows:?}"
    );
    assert!(
        rows.iter().any(|r| r[..3] == ["Dr Huang", "阅览室值班", "2.00"]),
        "{rows:?}"
    );
    assert_eq!(rows.last().unwrap()[..3], ["合计", "", "6.00"], "{rows:?}");
    assert!(html.contains("<caption>"));
    assert!(html.contains(r#"<th scope="col""#));
    // The chart: the same names and figures, no style attribute.
    let svg_at = html.find("<svg class=\"chart\"").expect("a chart");
    let svg = &html[svg_at..svg_at + html[svg_at..].find("</svg>").unwrap()];
    for text in ["Chen Mei", "\n4.00\n", "Dr Huang", "\n2.00\n"] {
        assert!(svg.contains(text), "{text} in the chart");
    }
    assert!(svg.contains(r#"role="img""#));
    assert!(!html.contains("style="), "no inline style anywhere");

    // The CSV: the same table, named after the report and its period.
    let link = format!(
        "/s/alpha/console/reports/volunteers.csv?from={from}&to={}",
        f.today
    );
    assert!(html.contains(&link.replace('&', "&amp;")), "a CSV link");
    let res = get(&app, &link, &cookie).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-disposition"],
        format!("attachment; filename=\"volunteers-{from}-{}.csv\"", f.today).as_str()
    );
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().last(), Some("合计,,6.00,3,0,3"), "{csv}");
    assert_eq!(
        csv,
        same_csv_as_the_api(&app, &cookie, &f.admin, "volunteers", "volunteers", from, f.today).await
    );

    // A period without the fixture: an empty table, zero totals.
    let (status, html) = page(
        &app,
        "/s/alpha/console/reports/volunteers?from=2024-01-01&to=2024-01-31",
        &cookie,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(table_rows(&html).last().unwrap()[..3], ["合计", "", "0.00"]);

    // The summary: its measures, then the four reports' tables.
    let (status, html) = page(&app, "/s/alpha/console/reports/summary", &cookie).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(html.matches("<table class=\"report\"").count(), 5);
    // Its measures in words, not keys (the CSV keeps the keys).
    let measures: Vec<String> = table_rows(&html).iter().take(14).map(|r| r[0].clone()).collect();
    assert_eq!(measures[0], "房间预约小时", "{measures:?}");
    assert!(measures.iter().all(|m| !m.contains('_')), "{measures:?}");
    same_csv_as_the_api(&app, &cookie, &f.admin, "summary", "summary", from, f.today).await;
    let (status, _) = page(&app, "/s/alpha/console/reports/front-desk", &cookie).await;
    assert_eq!(status, 200);
    same_csv_as_the_api(&app, &cookie, &f.admin, "front-desk", "front-desk", from, f.today).await;
}

#[tokio::test]
async fn wrong_dates_are_a_422_said_at_their_field_and_staff_are_refused() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let cookie = sign_in(&app, &f.admin.email).await;
    let (status, html) = page(
        &app,
        "/s/alpha/console/reports/volunteers?from=2026-02-30&to=2026-03-01",
        &cookie,
    )
    .await;
    assert_eq!(status, 422);
    let error = html.find(r#"id="from-error""#).expect("the error at 'from'");
    let input = html.find(r#"<input id="from""#).unwrap();
    assert!(error < input, "the error sits before its field");
    assert!(html.contains(r#"value="2026-02-30""#), "what she typed stays");
    assert!(!html.contains("<table"), "no figures for a wrong period");
    let (status, html) = page(
        &app,
        "/s/alpha/console/reports/volunteers?from=2026-03-02&to=2026-03-01",
        &cookie,
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("开始日期不能晚于结束日期。"));
    let res = get(&app, "/s/alpha/console/reports/volunteers.csv?from=x", &cookie).await;
    assert_eq!(res.status(), 422, "a CSV of wrong dates is the page");
    assert_eq!(
        page(&app, "/s/alpha/console/reports/nothing", &cookie).await.0,
        404
    );

    let staff = app.staff("alpha", "Qian Kai").await;
    let staff = sign_in(&app, &staff.email).await;
    for path in [
        "/s/alpha/console/reports",
        "/s/alpha/console/reports/volunteers",
        "/s/alpha/console/reports/volunteers?from=x",
        "/s/alpha/console/reports/volunteers.csv",
    ] {
        assert_eq!(page(&app, path, &staff).await.0, 403, "{path}");
    }
}

/// The page's CSV of a report is the API's CSV of the same period.
async fn same_csv_as_the_api(
    app: &TestApp,
    cookie: &str,
    admin: &Person,
    page_name: &str,
    api_name: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> String {
    let page_csv = get(
        app,
        &format!("/s/alpha/console/reports/{page_name}.csv?from={from}&to={to}"),
        cookie,
    )
    .await;
    assert_eq!(page_csv.status(), 200);
    let page_csv = page_csv.text().await.unwrap();
    let api_csv = app
        .client
        .get(app.url(&format!(
            "/api/v1/sites/alpha/reports/{api_name}?from={from}&to={to}"
        )))
        .bearer_auth(&admin.token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(api_csv.status(), 200);
    assert_eq!(page_csv, api_csv.text().await.unwrap(), "{page_name}");
    page_csv
}

#[tokio::test]
async fn the_rooms_and_computers_pages_show_the_reports_of_the_api() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let cookie = sign_in(&app, &f.admin.email).await;
    let (from, to) = (f.today - Duration::days(6), f.today);

    let (status, html) = page(
        &app,
        &format!("/s/alpha/console/reports/rooms?from={from}&to={to}"),
        &cookie,
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let rows = table_rows(&html);
    assert!(
        rows.iter().any(|r| r[0] == "活动室" && r[2] == "0.00"),
        "{rows:?}"
    );
    assert_eq!(rows.last().unwrap()[0], "合计");
    let empty = html.find("一直空着的房间").expect("the empty rooms' list");
    assert!(html[empty..].contains("<li>活动室</li>"));
    assert!(html.contains("<svg class=\"chart\""));
    let csv = same_csv_as_the_api(&app, &cookie, &f.admin, "rooms", "rooms", from, to).await;
    assert_eq!(
        csv.lines().count(),
        rows.len() + 1,
        "a header, the rows, the totals"
    );

    let (status, html) = page(
        &app,
        &format!("/s/alpha/console/reports/computers?from={from}&to={to}"),
        &cookie,
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("候补") && html.contains("因紧急工作让出的预约：0"),
        "{html}"
    );
    same_csv_as_the_api(&app, &cookie, &f.admin, "computers", "computers", from, to).await;

    let staff = app.staff("alpha", "Qian Kai").await;
    let staff = sign_in(&app, &staff.email).await;
    for path in [
        "/s/alpha/console/reports/rooms",
        "/s/alpha/console/reports/computers.csv",
    ] {
        assert_eq!(page(&app, path, &staff).await.0, 403, "{path}");
    }
}

/// 各居委会汇总: an operator and a district observer read every site's
/// summary on one page, with the API's CSV; a site's admin may not; wrong
/// dates are said at their field.
#[tokio::test]
async fn the_district_reads_every_sites_summary_on_one_page() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    app.site("beta").await;
    let operator = app.operator().await;
    let observer = crate::reports_people::observer(&app, &operator).await;
    let (from, to) = (f.today - Duration::days(29), f.today);
    for who in [&operator, &observer] {
        let cookie = sign_in(&app, &who.email).await;
        // The way in: the start page links it.
        let (_, start) = page(&app, "/", &cookie).await;
        assert!(start.contains("href=\"/district\""), "{start}");
        let (status, html) = page(&app, &format!("/district?from={from}&to={to}"), &cookie).await;
        assert_eq!(status, 200, "{html}");
        let rows = table_rows(&html);
        assert_eq!(rows.len(), 3, "two sites and the totals: {rows:?}");
        // (The district's accounts here read English.)
        assert!(["合计", "Total"].contains(&rows[2][0].as_str()), "{rows:?}");
        // The fixture's 6.00 volunteer hours (alpha's) are the totals' too:
        // column 12 is `volunteer_hours` (the site, then the measures).
        assert_eq!(
            (rows[0][12].as_str(), rows[2][12].as_str()),
            ("6.00", "6.00"),
            "{rows:?}"
        );
        let csv = get(&app, &format!("/district.csv?from={from}&to={to}"), &cookie).await;
        assert_eq!(csv.status(), 200);
        let page_csv = csv.text().await.unwrap();
        let api_csv = app
            .client
            .get(app.url(&format!("/api/v1/reports/summary?from={from}&to={to}")))
            .bearer_auth(&who.token)
            .header("accept", "text/csv")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(page_csv, api_csv);
        let (status, bad) = page(&app, "/district?from=2026-02-30", &cookie).await;
        assert_eq!(status, 422);
        assert!(bad.contains("from-error"), "{bad}");
    }
    let cookie = sign_in(&app, &f.admin.email).await;
    let (status, _) = page(&app, "/district", &cookie).await;
    assert_eq!(status, 403);
}
