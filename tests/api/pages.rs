//! The web app's pages: the sign-in cookie, CSRF, sessions that end with
//! the API's, and a computer booked through the page as the API books it.

use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, spawn_app};
use crate::web::{csrf_in, get as get_page, location, sign_in_to as sign_in};

async fn setup(app: &TestApp) -> crate::helpers::Person {
    app.site("alpha").await;
    let admin = app.admin("alpha").await;
    for n in 1..=2 {
        app.resource(
            "alpha",
            &admin,
            json!({"name": format!("PC {n}"), "kind": "computer", "pool": "computers"}),
        )
        .await;
    }
    app.staff("alpha", "Qian Kai").await
}

async fn my_bookings(app: &TestApp, token: &str) -> Vec<Value> {
    let res = app
        .get("/api/v1/sites/alpha/bookings?mine=true", Some(token))
        .await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    v["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn signing_in_sets_a_session_cookie_with_safe_flags() {
    let app = spawn_app().await;
    let staff = setup(&app).await;

    let signed_out = app.client.get(app.url("/s/alpha/bookings")).send().await.unwrap();
    assert_eq!(signed_out.status(), 303);
    assert_eq!(location(&signed_out), "/login?next=/s/alpha/bookings");

    let (res, cookie) = sign_in(&app, &staff.email, "/s/alpha/bookings").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/s/alpha/bookings");
    let set = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(flag), "{set} lacks {flag}");
    }
    assert!(!set.contains("Secure"), "plain http has no Secure cookie: {set}");

    // One site: home goes straight to it.
    let home = get_page(&app, "/", &cookie).await;
    assert_eq!(location(&home), "/s/alpha");
    let page = get_page(&app, "/s/alpha", &cookie).await;
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(page.headers()["cache-control"], "no-store");

    // Only a local path may follow sign-in.
    let (res, _) = sign_in(&app, &staff.email, "//evil.example/x").await;
    assert_eq!(location(&res), "/");

    // A wrong password sets nothing and says so in words.
    let wrong = app
        .client
        .post(app.url("/login"))
        .form(&[("email", staff.email.as_str()), ("password", "nope-nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(wrong.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let staff = setup(&app).await;
    let (_, cookie) = sign_in(&app, &staff.email, "/").await;

    for token in [None, Some("0123456789abcdef0123456789abcdef")] {
        let mut form = vec![("minutes", "30")];
        if let Some(t) = token {
            form.push(("csrf", t));
        }
        let res = app
            .client
            .post(app.url("/s/alpha/computer"))
            .header("cookie", &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403);
    }
    assert!(my_bookings(&app, &staff.token).await.is_empty());

    let res = app
        .client
        .post(app.url("/logout"))
        .header("cookie", &cookie)
        .form(&[("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "sign-out needs the token too");
    assert_eq!(get_page(&app, "/s/alpha", &cookie).await.status(), 200);
}

#[tokio::test]
async fn a_password_change_through_the_api_ends_the_cookie_session() {
    let app = spawn_app().await;
    let staff = setup(&app).await;
    let (_, cookie) = sign_in(&app, &staff.email, "/").await;
    assert_eq!(get_page(&app, "/s/alpha", &cookie).await.status(), 200);

    let res = app
        .post(
            "/api/v1/me/password",
            &json!({"current_password": PASSWORD, "new_password": "another good one"}),
            Some(&staff.token),
        )
        .await;
    assert_eq!(res.status(), 204);
    let after = get_page(&app, "/s/alpha", &cookie).await;
    assert_eq!(after.status(), 303);
    assert!(location(&after).starts_with("/login"));
}

#[tokio::test]
async fn signing_out_ends_the_session_row() {
    let app = spawn_app().await;
    let staff = setup(&app).await;
    let (_, cookie) = sign_in(&app, &staff.email, "/").await;
    let html = get_page(&app, "/s/alpha", &cookie).await.text().await.unwrap();
    let res = app
        .client
        .post(app.url("/logout"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf_in(&html))])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(get_page(&app, "/s/alpha", &cookie).await.status(), 303);
}

#[tokio::test]
async fn a_computer_booked_through_the_page_is_the_booking_the_api_makes() {
    let app = spawn_app().await;
    let staff = setup(&app).await;
    let (_, cookie) = sign_in(&app, &staff.email, "/").await;
    let html = get_page(&app, "/s/alpha/computer", &cookie)
        .await
        .text()
        .await
        .unwrap();

    let res = app
        .client
        .post(app.url("/s/alpha/computer"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf_in(&html).as_str()), ("minutes", "30")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let answer = location(&res);
    assert!(answer.starts_with("/s/alpha/booked/"), "{answer}");

    let mine = my_bookings(&app, &staff.token).await;
    assert_eq!(mine.len(), 1);
    let b = &mine[0];
    let start = chrono::DateTime::parse_from_rfc3339(b["starts_at"].as_str().unwrap()).unwrap();
    let end = chrono::DateTime::parse_from_rfc3339(b["ends_at"].as_str().unwrap()).unwrap();
    assert_eq!((end - start).num_minutes(), 30);
    let now = chrono::Utc::now();
    assert!(start <= now && now - start.with_timezone(&chrono::Utc) < chrono::Duration::minutes(15));
    assert_eq!(b["urgency"], "routine");
    assert_eq!(b["status"], "confirmed");

    // The API, asked the same now, would refuse a second seat: the page's
    // booking holds it as an API booking does.
    let again = app
        .book(
            "alpha",
            &staff,
            json!({"pool": "computers", "starts_at": b["starts_at"], "ends_at": b["ends_at"], "purpose": "x"}),
        )
        .await;
    assert_eq!(again.status(), 409);

    // The answer page names the computer; check-in is one tap from it.
    let page = get_page(&app, &answer, &cookie).await.text().await.unwrap();
    let computer = b["resource_name"]
        .as_str()
        .or(b["resource"].as_str())
        .unwrap_or("PC");
    assert!(page.contains(computer), "{page}");
    let id = b["id"].as_i64().unwrap();
    let res = app
        .client
        .post(app.url(&format!("/s/alpha/bookings/{id}/check-in")))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf_in(&page).as_str()), ("back", "home")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let mine = my_bookings(&app, &staff.token).await;
    assert!(mine[0]["checked_in_at"].is_string(), "{}", mine[0]);
}

#[tokio::test]
async fn when_no_computer_is_free_the_page_offers_the_next_time_the_waitlist_and_urgent_work() {
    let app = spawn_app().await;
    let staff = setup(&app).await;
    // Both computers taken from the current slot by two colleagues.
    let now = chrono::Utc::now();
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    // From half an hour on: not started, past the grace time, so urgent
    // work may displace it; a routine hour from now meets it.
    let slot = livingroom::domain::local_time::floor_to_slot(tz, now, 15);
    let (start, end) = (
        slot + chrono::Duration::minutes(30),
        slot + chrono::Duration::minutes(120),
    );
    for name in ["Li Na", "Zhang Wei"] {
        let other = app.staff("alpha", name).await;
        let res = app
            .book(
                "alpha",
                &other,
                json!({"pool": "computers", "starts_at": start.to_rfc3339(), "ends_at": end.to_rfc3339(), "purpose": "notes"}),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    let (_, cookie) = sign_in(&app, &staff.email, "/").await;
    let html = get_page(&app, "/s/alpha/computer", &cookie)
        .await
        .text()
        .await
        .unwrap();
    let csrf = csrf_in(&html);
    let res = app
        .client
        .post(app.url("/s/alpha/computer"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("minutes", "60")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/s/alpha/computer/none-free?minutes=60");
    let offers = get_page(&app, "/s/alpha/computer/none-free?minutes=60", &cookie)
        .await
        .text()
        .await
        .unwrap();
    for words in ["排队候补", "调解", "看看会影响谁"] {
        assert!(offers.contains(words), "{words} missing");
    }

    // Before she confirms: whose booking would give way, and nothing changes.
    let preview = app
        .client
        .post(app.url("/s/alpha/computer/urgent"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("minutes", "60"),
            ("urgent", "1"),
            ("reason", "调解"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(preview.status(), 200);
    let preview = preview.text().await.unwrap();
    assert!(
        preview.contains("Li Na") || preview.contains("Zhang Wei"),
        "names who gives way: {preview}"
    );
    assert!(
        my_bookings(&app, &staff.token).await.is_empty(),
        "a preview books nothing"
    );

    let confirm = app
        .client
        .post(app.url("/s/alpha/computer"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("minutes", "60"),
            ("urgent", "1"),
            ("reason", "调解"),
        ])
        .send()
        .await
        .unwrap();
    assert!(location(&confirm).starts_with("/s/alpha/booked/"));
    let mine = my_bookings(&app, &staff.token).await;
    assert_eq!(mine[0]["urgency"], "urgent");
    assert_eq!(mine[0]["reason"], "调解");
}

#[tokio::test]
async fn a_time_later_today_books_from_that_time_and_a_taken_one_offers_the_next_from_it() {
    let app = spawn_app().await;
    let staff = setup(&app).await;
    let (_, cookie) = sign_in(&app, &staff.email, "/").await;
    let html = get_page(&app, "/s/alpha/computer", &cookie)
        .await
        .text()
        .await
        .unwrap();
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
    let now = chrono::Utc::now();
    let day_end = livingroom::domain::local_time::local_day(tz, now).end;
    if day_end - now < chrono::Duration::minutes(90) {
        // Too late in the site's day for a later start and a clash after
        // it. Within half an hour of midnight no later start fits at all
        // (the shortest booking is 30 minutes); before that some may.
        if day_end - now < chrono::Duration::minutes(30) {
            assert!(
                !html.contains("name=\"start\""),
                "no later time offered this late"
            );
        }
        return;
    }
    // The later-today choices are whole quarter hours after now, in the site's zone.
    let first = html
        .split("<option value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a later start offered")
        .to_owned();
    let start = chrono::DateTime::parse_from_rfc3339(&first).expect("RFC 3339 start");
    assert!(start.with_timezone(&chrono::Utc) > now);
    assert_eq!(start.offset().local_minus_utc(), 8 * 3600, "the site's offset");
    let csrf = csrf_in(&html);
    let res = app
        .client
        .post(app.url("/s/alpha/computer"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("minutes", "30"),
            ("start", first.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(
        location(&res).starts_with("/s/alpha/booked/"),
        "{}",
        location(&res)
    );
    let mine = my_bookings(&app, &staff.token).await;
    assert_eq!(mine.len(), 1);
    let booked = chrono::DateTime::parse_from_rfc3339(mine[0]["starts_at"].as_str().unwrap()).unwrap();
    assert_eq!(booked, start);

    // Both computers taken at that time for two colleagues: the page offers
    // the next free time from the asked start, not from now.
    let (s, e) = (
        start + chrono::Duration::minutes(30),
        start + chrono::Duration::minutes(60),
    );
    for name in ["Li Na", "Zhang Wei"] {
        let other = app.staff("alpha", name).await;
        let res = app
            .book(
                "alpha",
                &other,
                json!({"pool": "computers", "starts_at": s.to_rfc3339(), "ends_at": e.to_rfc3339(), "purpose": "notes"}),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    let other = app.staff("alpha", "Liu Yang").await;
    let (_, other_cookie) = sign_in(&app, &other.email, "/").await;
    let res = app
        .client
        .post(app.url("/s/alpha/computer"))
        .header("cookie", &other_cookie)
        .form(&[
            (
                "csrf",
                csrf_in(
                    &get_page(&app, "/s/alpha/computer", &other_cookie)
                        .await
                        .text()
                        .await
                        .unwrap(),
                )
                .as_str(),
            ),
            ("minutes", "30"),
            ("start", s.to_rfc3339().as_str()),
        ])
        .send()
        .await
        .unwrap();
    let to = location(&res);
    assert!(
        to.starts_with("/s/alpha/computer/none-free?minutes=30&from="),
        "{to}"
    );
    let offers = get_page(&app, &to, &other_cookie).await.text().await.unwrap();
    let offered = offers
        .split("name=\"start\" value=\"")
        .nth(1)
        .and_then(|v| v.split('"').next())
        .expect("a next free time");
    let offered = chrono::DateTime::parse_from_rfc3339(offered).unwrap();
    assert!(
        offered >= e,
        "the next free time is after the taken half hour: {offered}"
    );
}

#[tokio::test]
async fn static_files_go_gzipped_to_browsers_that_take_it_and_pages_never_do() {
    let app = spawn_app().await;
    let staff = setup(&app).await;
    let plain = app
        .client
        .get(app.url("/assets/htmx.min.js"))
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_len = plain.bytes().await.unwrap().len();
    let zipped = app
        .client
        .get(app.url("/assets/htmx.min.js"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert_eq!(zipped.headers()["vary"], "Accept-Encoding");
    let zipped = zipped.bytes().await.unwrap();
    assert!(zipped.len() * 2 < plain_len, "{} of {plain_len}", zipped.len());
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&zipped[..]), &mut unzipped).unwrap();
    assert_eq!(unzipped.len(), plain_len);
    let refused = app
        .client
        .get(app.url("/assets/app.css"))
        .header("accept-encoding", "gzip;q=0")
        .send()
        .await
        .unwrap();
    assert!(refused.headers().get("content-encoding").is_none());

    // A page carries the CSRF token: never compressed (BREACH).
    let (_, cookie) = sign_in(&app, &staff.email, "/").await;
    let page = app
        .client
        .get(app.url("/s/alpha"))
        .header("cookie", &cookie)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers().get("content-encoding").is_none());
}
