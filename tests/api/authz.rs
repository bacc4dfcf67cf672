//! The authorization matrix: every operation of the OpenAPI document, called
//! by every kind of caller with real ids and valid bodies, against a table of
//! who may do what. A route added to the API fails this test until it has a
//! row in `EXPECTED`.
//!
//! Columns, in order: anonymous, volunteer, group leader, staff, admin,
//! operator (not a member of the site), admin of another site, district
//! observer (no member of any site). Cells: `U`
//! 401, `F` 403, `N` 404, `A` allowed (below 500 and none of 401, 403, 404:
//! with real ids an allowed caller never meets a 404, so a 404 is a refusal),
//! `*` anything below 500. Any 5xx fails.
//!
//! Objects a call changes or ends are created afresh for each caller, so
//! every caller meets the same state; callers expected to be refused are
//! sent first anyway.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, Person, TestApp, sh, spawn_app_with};
use livingroom::domain::person::Roles;

/// Who may do what. Columns: anonymous, volunteer, group leader, staff,
/// admin, operator, admin of another site, district observer. Rows are in the order the test
/// prints what it observed; paste from there when a route changes, after
/// deciding the new behaviour is right.
#[rustfmt::skip]
const EXPECTED: &[(&str, &str)] = &[
    ("GET /api/v1/admin/outbox",                                   "U F F F F A F F"),
    // The secret in the link is the credential.
    ("GET /api/v1/calendar/{token}.ics",                           "A A A A A A A A"),
    ("GET /api/v1/me",                                             "U A A A A A A A"),
    ("GET /api/v1/me/notifications",                               "U A A A A A A A"),
    // Each caller sees their own sites (every site for an operator or an
    // observer). The observer column: reads of boards, bookings (without
    // who and why) and reports; not people's details, drafts, swaps or the
    // audit trail; every change to a site 403 (or 404 where the object is
    // not shown); its own account's settings are its own.
    ("GET /api/v1/sites",                                          "U A A A A A A A"),
    ("GET /api/v1/sites/{site}",                                   "U A A A A A N A"),
    ("GET /api/v1/sites/{site}/audit",                             "U F F F A A N F"),
    ("GET /api/v1/sites/{site}/availability",                      "U A A A A A N A"),
    // Members see bookings; who and why only staff, admins and the owner.
    ("GET /api/v1/sites/{site}/booking-series/{id}",               "U A A A A A N A"),
    ("GET /api/v1/sites/{site}/bookings",                          "U A A A A A N A"),
    ("GET /api/v1/sites/{site}/bookings/{id}",                     "U A A A A A N A"),
    ("GET /api/v1/sites/{site}/calendar",                          "U A A A A A N A"),
    // Public: the wall board's duty list.
    ("GET /api/v1/sites/{site}/duties",                            "A A A A A A A A"),
    ("GET /api/v1/sites/{site}/groups",                            "U A A A A A N A"),
    // People's details: staff and admins only.
    ("GET /api/v1/sites/{site}/members",                           "U F F A A A N F"),
    ("GET /api/v1/sites/{site}/members/{user_id}",                 "U F F A A A N F"),
    // The operator is not a member of the site, so has no member record.
    ("GET /api/v1/sites/{site}/members/{user_id} [self]",          "U A A A A N N N"),
    // A staff member's day, as on the bulletin board: members only (issue 19, 14).
    ("GET /api/v1/sites/{site}/people/{user_id}/schedule",         "U A A A A A N A"),
    ("GET /api/v1/sites/{site}/reports/computers",                 "U F F F A A N A"),
    ("GET /api/v1/sites/{site}/reports/rooms",                     "U F F F A A N A"),
    ("GET /api/v1/sites/{site}/reports/volunteer-hours",           "U F F F A A N A"),
    ("GET /api/v1/sites/{site}/resources",                         "U A A A A A N A"),
    ("GET /api/v1/sites/{site}/resources/{id}",                    "U A A A A A N A"),
    ("GET /api/v1/sites/{site}/resources/{id}/blackouts",          "U A A A A A N A"),
    // Public: the published rota, display names only.
    ("GET /api/v1/sites/{site}/rota",                              "A A A A A A A A"),
    ("GET /api/v1/sites/{site}/rota.ics",                          "A A A A A A A A"),
    // Drafts: staff and admins.
    ("GET /api/v1/sites/{site}/rota/shifts",                       "U F F A A A N F"),
    ("GET /api/v1/sites/{site}/rota/swaps",                        "U F F F A A N F"),
    ("GET /api/v1/sites/{site}/rota/templates",                    "U A A A A A N A"),
    // Everyone their own; admins everyone's.
    ("GET /api/v1/sites/{site}/rota/unavailability",               "U A A A A A N A"),
    ("GET /api/v1/sites/{site}/waitlist",                          "U A A A A A N A"),
    ("GET /healthz",                                               "A A A A A A A A"),
    ("GET /metrics",                                               "A A A A A A A A"),
    ("GET /readyz",                                                "A A A A A A A A"),
    ("PATCH /api/v1/sites/{site}",                                 "U F F F A A N F"),
    // The series belongs to another staff member: owner or admin only.
    ("PATCH /api/v1/sites/{site}/booking-series/{id}",             "U F F F A A N F"),
    ("PATCH /api/v1/sites/{site}/members/{user_id}",               "U F F F A A N F"),
    ("PATCH /api/v1/sites/{site}/resources/{id}",                  "U F F F A A N F"),
    ("POST /api/v1/admin/outbox/{id}/retry",                       "U F F F F A F F"),
    ("POST /api/v1/auth/accept-invite",                            "A A A A A A A A"),
    ("POST /api/v1/auth/forgot-password",                          "A A A A A A A A"),
    ("POST /api/v1/auth/login",                                    "A A A A A A A A"),
    ("POST /api/v1/auth/refresh",                                  "A A A A A A A A"),
    ("POST /api/v1/auth/reset-password",                           "A A A A A A A A"),
    ("POST /api/v1/me/calendar-feed",                              "U A A A A A A A"),
    ("POST /api/v1/sites",                                         "U F F F F A F F"),
    // Volunteers book nothing; group leaders book rooms, not computers.
    ("POST /api/v1/sites/{site}/bookings",                         "U F A A A A N F"),
    ("POST /api/v1/sites/{site}/bookings [computer]",              "U F F A A A N F"),
    // For a group: its leader or an admin, not any staff member.
    ("POST /api/v1/sites/{site}/bookings [for a group]",           "U F A F A A N F"),
    ("POST /api/v1/sites/{site}/bookings/{id}/approve",            "U F F F A A N F"),
    // Only the owner checks in (the booking is another staff member's).
    ("POST /api/v1/sites/{site}/bookings/{id}/check-in",           "U F F F F F N F"),
    ("POST /api/v1/sites/{site}/bookings/{id}/reject",             "U F F F A A N F"),
    ("POST /api/v1/sites/{site}/duties",                           "U F F F A A N F"),
    // Anyone may report an absence; only the volunteer on duty succeeds (409 for the rest).
    ("POST /api/v1/sites/{site}/duties/{id}/absences",             "U A A A A A N F"),
    ("POST /api/v1/sites/{site}/duties/{id}/attendance",           "U F F A A A N F"),
    // Volunteers sign up, nobody else.
    ("POST /api/v1/sites/{site}/duties/{id}/signups",              "U A F F F F N F"),
    ("POST /api/v1/sites/{site}/groups",                           "U F F F A A N F"),
    ("POST /api/v1/sites/{site}/members",                          "U F F F A A N F"),
    ("POST /api/v1/sites/{site}/resources",                        "U F F F A A N F"),
    ("POST /api/v1/sites/{site}/resources/{id}/blackouts",         "U F F F A A N F"),
    ("POST /api/v1/sites/{site}/rota/generate",                    "U F F F A A N F"),
    ("POST /api/v1/sites/{site}/rota/publish",                     "U F F F A A N F"),
    // Someone on the shift offers it; anyone else gets 409.
    ("POST /api/v1/sites/{site}/rota/shifts/{id}/offer",           "U A A A A A N F"),
    // Staff take shifts; an operator is not staff.
    ("POST /api/v1/sites/{site}/rota/shifts/{id}/take",            "U F F A A F N F"),
    // One's own (the operator, no member, gets 422).
    ("POST /api/v1/sites/{site}/rota/unavailability",              "U A A A A A N F"),
    ("POST /api/v1/sites/{site}/rota/unavailability [for someone else]", "U F F F A A N F"),
    ("PUT /api/v1/me/notifications",                               "U A A A A A A A"),
    ("PUT /api/v1/sites/{site}/calendar",                          "U F F F A A N F"),
    ("PUT /api/v1/sites/{site}/rota/shifts/{id}",                  "U F F F A A N F"),
    ("PUT /api/v1/sites/{site}/rota/templates",                    "U F F F A A N F"),
    ("DELETE /api/v1/me/calendar-feed",                            "U A A A A A A A"),
    ("DELETE /api/v1/sites/{site}/booking-series/{id}",            "U F F F A A N F"),
    // Another staff member's booking: its owner or an admin only.
    ("DELETE /api/v1/sites/{site}/bookings/{id}",                  "U F F F A A N F"),
    // Someone else's sign-up, unavailability or waitlist entry is not
    // shown to other members, so it answers 404.
    ("DELETE /api/v1/sites/{site}/duties/{id}/signups/{signup_id}", "U N N N A A N N"),
    ("DELETE /api/v1/sites/{site}/members/{user_id}",              "U F F F A A N F"),
    ("DELETE /api/v1/sites/{site}/resources/{id}",                 "U F F F A A N F"),
    ("DELETE /api/v1/sites/{site}/resources/{id}/blackouts/{blackout_id}", "U F F F A A N F"),
    ("DELETE /api/v1/sites/{site}/rota/unavailability/{id}",       "U N N N A A N N"),
    ("DELETE /api/v1/sites/{site}/waitlist/{id}",                  "U N N N A A N N"),
    // With a refresh token of a session of its own.
    ("POST /api/v1/auth/logout",                                   "A A A A A A A A"),
    // Each caller replaced by a fresh person of the same standing.
    ("POST /api/v1/me/password",                                   "U A A A A A A A"),
    ("PUT /api/v1/me/language",                                    "U A A A A A A A"),
    ("PATCH /api/v1/me",                                           "U A A A A A A A"),
    // Issue 22: reports 3-5, the district observer.
    ("GET /api/v1/reports/summary",                                "U F F F F A F A"),
    ("GET /api/v1/sites/{site}/reports/front-desk",                "U F F F A A N A"),
    ("GET /api/v1/sites/{site}/reports/summary",                   "U F F F A A N A"),
    ("GET /api/v1/sites/{site}/reports/volunteers",                "U F F F A A N A"),
    ("PUT /api/v1/admin/users/{id}/observer",                      "U F F F F A F F"),
    // Issue 24: a site's robots and webhooks are its admins' (and an
    // operator's); an observer reads no set-up.
    ("GET /api/v1/sites/{site}/channels",                          "U F F F A A N F"),
    ("GET /api/v1/sites/{site}/channels/{id}",                     "U F F F A A N F"),
    ("GET /api/v1/sites/{site}/channels/{id}/deliveries",          "U F F F A A N F"),
    ("POST /api/v1/sites/{site}/channels",                         "U F F F A A N F"),
    ("POST /api/v1/sites/{site}/channels/{id}/test",               "U F F F A A N F"),
    ("PATCH /api/v1/sites/{site}/channels/{id}",                   "U F F F A A N F"),
    ("DELETE /api/v1/sites/{site}/channels/{id}",                  "U F F F A A N F"),
];

/// Operations that need no sign-in. Everything else answers 401 to an
/// anonymous caller.
const PUBLIC: &[&str] = &[
    "GET /healthz",
    "GET /readyz",
    // Prometheus on this machine scrapes without credentials; from elsewhere
    // it needs LIVINGROOM_METRICS_TOKEN (README; `hardening.rs`).
    "GET /metrics",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/refresh",
    // Needs the refresh token, which is the credential.
    "POST /api/v1/auth/logout",
    "POST /api/v1/auth/accept-invite",
    "POST /api/v1/auth/forgot-password",
    "POST /api/v1/auth/reset-password",
    // The secret is in the link.
    "GET /api/v1/calendar/{token}.ics",
    // The wall board's data, documented public: display names only.
    "GET /api/v1/sites/{site}/duties",
    "GET /api/v1/sites/{site}/rota",
    "GET /api/v1/sites/{site}/rota.ics",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Anonymous,
    Volunteer,
    GroupLeader,
    Staff,
    Admin,
    Operator,
    OtherSiteAdmin,
    Observer,
}

/// The table's columns.
const COLUMNS: [Role; 8] = [
    Role::Anonymous,
    Role::Volunteer,
    Role::GroupLeader,
    Role::Staff,
    Role::Admin,
    Role::Operator,
    Role::OtherSiteAdmin,
    Role::Observer,
];

/// The order calls are sent in: the callers most often refused first.
const SEND_ORDER: [Role; 8] = [
    Role::Anonymous,
    Role::OtherSiteAdmin,
    Role::Observer,
    Role::Volunteer,
    Role::GroupLeader,
    Role::Staff,
    Role::Operator,
    Role::Admin,
];

/// A district observer: an operator's kind of account made read-only (the
/// flag is what the API's `PUT /admin/users/{id}/observer` sets).
async fn observer(app: &TestApp) -> Person {
    let person = app.operator().await;
    let id = person.id;
    app.db
        .write(move |conn| {
            use diesel::prelude::*;
            use livingroom::db::schema::users;
            diesel::update(users::table.find(id))
                .set((users::is_operator.eq(false), users::is_observer.eq(true)))
                .execute(conn)?;
            Ok(())
        })
        .await
        .expect("observer");
    person
}

fn column(role: Role) -> usize {
    COLUMNS.iter().position(|r| *r == role).expect("a column")
}

/// Extra rows for operations whose answer depends on the request: the row
/// key is the operation followed by the variant.
fn variants(op: &str) -> &'static [&'static str] {
    match op {
        "POST /api/v1/sites/{site}/bookings" => &["", " [computer]", " [for a group]"],
        "POST /api/v1/sites/{site}/rota/unavailability" => &["", " [for someone else]"],
        "GET /api/v1/sites/{site}/members/{user_id}" => &["", " [self]"],
        _ => &[""],
    }
}

/// `METHOD /path` without the variant.
fn operation(key: &str) -> &str {
    key.split(" [").next().expect("operation")
}

/// Calls that end or revoke something go last.
fn destructive(op: &str) -> bool {
    op.starts_with("DELETE ") || op.ends_with("/logout") || op.ends_with("/me/password")
}

fn letter(status: u16) -> char {
    match status {
        401 => 'U',
        403 => 'F',
        404 => 'N',
        s if s >= 500 => '5',
        _ => 'A',
    }
}

fn fits(cell: char, status: u16) -> bool {
    status < 500
        && match cell {
            'U' => status == 401,
            'F' => status == 403,
            'N' => status == 404,
            'A' => !matches!(status, 401 | 403 | 404),
            '*' => true,
            _ => false,
        }
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn today() -> NaiveDate {
    let tz: chrono_tz::Tz = "Asia/Shanghai".parse().expect("tz");
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

/// The next `weekday` after today (never today).
fn next(weekday: Weekday) -> NaiveDate {
    let mut d = today() + Duration::days(1);
    while d.weekday() != weekday {
        d += Duration::days(1);
    }
    d
}

fn templates() -> Value {
    json!(
        ["mon", "tue", "wed", "thu", "fri"]
            .iter()
            .map(
                |d| json!({"weekday": d, "start": "08:30", "end": "12:00", "positions": 1,
                            "label": "首问接待", "desk_pool": "reception"})
            )
            .collect::<Vec<_>>()
    )
}

/// One request: path parameters, query string, body and bearer token.
struct Call {
    params: BTreeMap<&'static str, String>,
    query: String,
    body: Value,
    token: Option<String>,
}

impl Call {
    fn set(&mut self, name: &'static str, value: i64) {
        self.params.insert(name, value.to_string());
    }
}

/// The site `alpha` with its people and objects, and `beta` next door.
struct World {
    app: TestApp,
    admin: Person,
    staff: Person,
    volunteer: Person,
    leader: Person,
    operator: Person,
    other: Person,
    /// A district observer, member of no site.
    observer: Person,
    /// Staff, not one of the callers: owns bookings, series, waitlist
    /// entries and unavailability.
    owner: Person,
    /// A volunteer who owns the duty sign-ups.
    signer: Person,
    /// A member read and changed by the member routes.
    target: Person,
    /// Signs in for the login, refresh and logout routes.
    login: Person,
    room: i64,
    series_room: i64,
    approval_room: i64,
    waitlist_room: i64,
    computer: i64,
    scratch: i64,
    booking: i64,
    series: i64,
    group: i64,
    /// The volunteer is signed up weekly (Tuesdays).
    duty_on: i64,
    /// Nobody is signed up (Wednesdays).
    duty_open: i64,
    next_tuesday: NaiveDate,
    shift_edit: i64,
    shift_offer: i64,
    /// Offered by its person, waiting to be taken.
    shift_take: i64,
    next_period: Value,
    outbox: i64,
    /// A robot of alpha's, changed and tested by the channel routes.
    channel: i64,
    feed_token: String,
    counters: Mutex<BTreeMap<&'static str, i64>>,
}

async fn created(res: reqwest::Response, status: u16, what: &str) -> Value {
    let got = res.status().as_u16();
    let body = res.text().await.expect("body");
    assert_eq!(got, status, "{what}: {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}

impl World {
    async fn build() -> World {
        // Channels point at a closed port of this machine: nothing in this
        // test may reach another host.
        let app = spawn_app_with(|s| s.channel_allow_private = true).await;
        app.site("alpha").await;
        app.site("beta").await;
        let admin = app.admin("alpha").await;
        let staff = app.staff("alpha", "Staff").await;
        let volunteer = app.member("alpha", "Volunteer", Roles::VOLUNTEER, &[]).await;
        let leader = app.member("alpha", "Leader", Roles::GROUP_LEADER, &[]).await;
        let operator = app.operator().await;
        let other = app.admin("beta").await;
        let observer = observer(&app).await;
        let owner = app.quick_member("alpha", Roles::STAFF).await;
        let signer = app.quick_member("alpha", Roles::VOLUNTEER).await;
        let target = app.quick_member("alpha", Roles::VOLUNTEER).await;
        let login = app.member("alpha", "Login", Roles::VOLUNTEER, &[]).await;

        let resource = |body: Value| app.resource("alpha", &admin, body);
        let room = resource(json!({"name": "Multi-function room", "kind": "room", "capacity": 40})).await;
        let series_room = resource(json!({"name": "Dance room", "kind": "room"})).await;
        let approval_room = resource(json!({"name": "Hall", "kind": "room",
                                            "rules": {"requires_approval": true}}))
        .await;
        let waitlist_room = resource(json!({"name": "Meeting room", "kind": "room"})).await;
        let computer = resource(json!({"name": "PC 1", "kind": "computer", "pool": "computers"})).await;
        let scratch = resource(json!({"name": "Store room", "kind": "room"})).await;
        for n in ["A", "B"] {
            resource(json!({"name": format!("Reception post {n}"), "kind": "desk", "pool": "reception"}))
                .await;
        }

        let mut w = World {
            app,
            admin,
            staff,
            volunteer,
            leader,
            operator,
            other,
            observer,
            owner,
            signer,
            target,
            login,
            room,
            series_room,
            approval_room,
            waitlist_room,
            computer,
            scratch,
            booking: 0,
            series: 0,
            group: 0,
            duty_on: 0,
            duty_open: 0,
            next_tuesday: next(Weekday::Tue),
            shift_edit: 0,
            shift_offer: 0,
            shift_take: 0,
            next_period: Value::Null,
            outbox: 0,
            channel: 0,
            feed_token: String::new(),
            counters: Mutex::new(BTreeMap::new()),
        };

        w.booking = w.fresh_booking().await;
        w.series = w.fresh_series().await;
        let group = w
            .app
            .post(
                "/api/v1/sites/alpha/groups",
                &json!({"name": "旗袍班 Qipao class", "leader_id": w.leader.id}),
                Some(&w.admin.token),
            )
            .await;
        w.group = id(&created(group, 201, "group").await);

        // Duties: the volunteer is on Tuesdays.
        let on = json!({"name": "量血压 Blood pressure", "weekday": "tue", "start": "08:00",
                        "end": "10:00", "capacity": 5});
        let on = w
            .app
            .post("/api/v1/sites/alpha/duties", &on, Some(&w.admin.token))
            .await;
        let duty_on = id(&created(on, 201, "duty").await);
        let open = json!({"name": "Library", "weekday": "wed", "start": "14:00", "end": "16:00",
                          "capacity": 5});
        let open = w
            .app
            .post("/api/v1/sites/alpha/duties", &open, Some(&w.admin.token))
            .await;
        let duty_open = id(&created(open, 201, "duty").await);
        let signed = w
            .app
            .post(
                &format!("/api/v1/sites/alpha/duties/{duty_on}/signups"),
                &json!({"scope": "weekly"}),
                Some(&w.volunteer.token),
            )
            .await;
        created(signed, 201, "sign-up").await;
        w.duty_on = duty_on;
        w.duty_open = duty_open;

        // The rota: next week generated and published; one shift offered.
        let res = w
            .app
            .client
            .put(w.app.url("/api/v1/sites/alpha/rota/templates"))
            .bearer_auth(&w.admin.token)
            .json(&templates())
            .send()
            .await
            .expect("request");
        created(res, 200, "templates").await;
        // Everyone joined a moment ago: nobody counts as new, so the
        // one-person shifts are staffed.
        let res = w
            .app
            .patch(
                "/api/v1/sites/alpha",
                &json!({"new_person_weeks": 0}),
                Some(&w.admin.token),
            )
            .await;
        created(res, 200, "new_person_weeks").await;
        let monday = next(Weekday::Mon);
        let period = json!({"from": monday, "to": monday + Duration::days(4)});
        w.next_period = json!({"from": monday + Duration::days(7), "to": monday + Duration::days(11)});
        let res = w
            .app
            .post("/api/v1/sites/alpha/rota/generate", &period, Some(&w.admin.token))
            .await;
        let draft = created(res, 200, "generate").await;
        let res = w
            .app
            .post("/api/v1/sites/alpha/rota/publish", &period, Some(&w.admin.token))
            .await;
        created(res, 200, "publish").await;
        let staffed: Vec<(i64, i64)> = draft["shifts"]
            .as_array()
            .expect("shifts")
            .iter()
            .filter_map(|s| Some((id(s), s["assignees"][0]["id"].as_i64()?)))
            .collect();
        assert!(staffed.len() >= 3, "{draft}");
        w.shift_edit = staffed[0].0;
        w.shift_offer = staffed[1].0;
        let (take, giver) = staffed[2];
        w.shift_take = take;
        let giver = [&w.admin, &w.staff, &w.owner]
            .into_iter()
            .find(|p| p.id == giver)
            .expect("a staff member is on the shift");
        let res = w
            .app
            .post(
                &format!("/api/v1/sites/alpha/rota/shifts/{take}/offer"),
                &json!({}),
                Some(&giver.token),
            )
            .await;
        created(res, 200, "offer").await;
        let res = w
            .app
            .post(
                "/api/v1/sites/alpha/rota/unavailability",
                &w.unavailability(),
                Some(&w.owner.token),
            )
            .await;
        created(res, 201, "unavailability").await;

        // Mail in the outbox (an invitation), for the operator's retry.
        let res = w
            .app
            .post(
                "/api/v1/sites/alpha/members",
                &json!({"email": "invited@test.example", "name": "Invited", "roles": ["volunteer"]}),
                Some(&w.admin.token),
            )
            .await;
        created(res, 201, "invitation").await;
        w.outbox = w
            .app
            .db
            .read(|conn| {
                use diesel::prelude::*;
                use livingroom::db::schema::outbox;
                Ok(outbox::table
                    .select(outbox::id)
                    .order(outbox::id)
                    .first::<i64>(conn)?)
            })
            .await
            .expect("an outbox row");

        w.channel = w.fresh_channel().await;

        // A personal calendar feed of someone who is not a caller.
        let feed_owner = w.app.quick_member("alpha", Roles::VOLUNTEER).await;
        let res = w
            .app
            .post("/api/v1/me/calendar-feed", &json!({}), Some(&feed_owner.token))
            .await;
        let link = created(res, 201, "calendar feed").await;
        let url = link["url"].as_str().expect("url");
        w.feed_token = url
            .rsplit('/')
            .next()
            .and_then(|t| t.strip_suffix(".ics"))
            .expect("token in the link")
            .to_owned();
        w
    }

    fn next(&self, counter: &'static str) -> i64 {
        let mut counters = self.counters.lock().expect("counters");
        let n = counters.entry(counter).or_insert(0);
        *n += 1;
        *n - 1
    }

    /// An hour of its own on one resource's lane, from the day after
    /// tomorrow on.
    fn slot(&self, lane: &'static str) -> (String, String) {
        let k = self.next(lane);
        let (day, hour) = (2 + k / 12, 8 + (k % 12) as u32);
        (sh(day, hour, 0), sh(day, hour + 1, 0))
    }

    fn booking_body(&self, resource: i64, lane: &'static str) -> Value {
        let (starts, ends) = self.slot(lane);
        json!({"resource_id": resource, "starts_at": starts, "ends_at": ends, "purpose": "class"})
    }

    fn unavailability(&self) -> Value {
        let day = 30 + self.next("unavailability");
        json!({"starts_at": sh(day, 9, 0), "ends_at": sh(day, 12, 0), "reason": "training"})
    }

    fn person(&self, role: Role) -> Option<&Person> {
        match role {
            Role::Anonymous => None,
            Role::Volunteer => Some(&self.volunteer),
            Role::GroupLeader => Some(&self.leader),
            Role::Staff => Some(&self.staff),
            Role::Admin => Some(&self.admin),
            Role::Operator => Some(&self.operator),
            Role::OtherSiteAdmin => Some(&self.other),
            Role::Observer => Some(&self.observer),
        }
    }

    /// A new person standing where `role` stands, signed in with the test
    /// password: for calls that end the caller's sessions.
    async fn stand_in(&self, role: Role) -> Option<String> {
        let name = format!("Stand in {}", self.next("stand-in"));
        let app = &self.app;
        let person = match role {
            Role::Anonymous => return None,
            Role::Volunteer => app.member("alpha", &name, Roles::VOLUNTEER, &[]).await,
            Role::GroupLeader => app.member("alpha", &name, Roles::GROUP_LEADER, &[]).await,
            Role::Staff => app.staff("alpha", &name).await,
            Role::Admin => app.admin("alpha").await,
            Role::Operator => app.operator().await,
            Role::OtherSiteAdmin => app.admin("beta").await,
            Role::Observer => observer(app).await,
        };
        Some(person.token)
    }

    async fn refresh_token(&self) -> String {
        let res = self.app.login(&self.login.email, PASSWORD).await;
        let v = created(res, 200, "login").await;
        v["refresh_token"].as_str().expect("refresh_token").to_owned()
    }

    /// A confirmed room booking of `owner`.
    async fn fresh_booking(&self) -> i64 {
        let res = self
            .app
            .book("alpha", &self.owner, self.booking_body(self.room, "room"))
            .await;
        id(&created(res, 201, "booking").await)
    }

    /// A weekly series of three of `owner`.
    async fn fresh_series(&self) -> i64 {
        let mut body = self.booking_body(self.series_room, "series");
        body["recurrence"] = json!({"weekly": {"count": 3}});
        let res = self.app.book("alpha", &self.owner, body).await;
        let v = created(res, 201, "series").await;
        v["series_id"].as_i64().expect("series_id")
    }

    /// A booking of `owner` waiting for an admin's approval.
    async fn fresh_pending(&self) -> i64 {
        let res = self
            .app
            .book(
                "alpha",
                &self.owner,
                self.booking_body(self.approval_room, "approval"),
            )
            .await;
        let v = created(res, 201, "pending booking").await;
        assert_eq!(v["status"], "pending");
        id(&v)
    }

    /// A waitlist entry of `owner` behind the admin's booking.
    async fn fresh_waitlist_entry(&self) -> i64 {
        let mut body = self.booking_body(self.waitlist_room, "waitlist");
        let res = self.app.book("alpha", &self.admin, body.clone()).await;
        created(res, 201, "booking in the way").await;
        body["on_conflict"] = json!("waitlist");
        let res = self.app.book("alpha", &self.owner, body).await;
        id(&created(res, 202, "waitlist entry").await)
    }

    async fn fresh_channel(&self) -> i64 {
        let n = self.next("channel");
        let res = self
            .app
            .post(
                "/api/v1/sites/alpha/channels",
                &self.channel_body(n),
                Some(&self.admin.token),
            )
            .await;
        id(&created(res, 201, "channel").await)
    }

    fn channel_body(&self, n: i64) -> Value {
        json!({"kind": "wecom", "name": format!("Robot {n}"),
               "url": "http://127.0.0.1:9/cgi-bin/webhook/send?key=not-a-real-key"})
    }

    async fn fresh_resource(&self) -> i64 {
        let n = self.next("resource");
        self.app
            .resource(
                "alpha",
                &self.admin,
                json!({"name": format!("Old room {n}"), "kind": "room"}),
            )
            .await
    }

    async fn fresh_blackout(&self) -> i64 {
        let res = self
            .app
            .post(
                &format!("/api/v1/sites/alpha/resources/{}/blackouts", self.scratch),
                &self.blackout(),
                Some(&self.admin.token),
            )
            .await;
        id(&created(res, 201, "blackout").await)
    }

    fn blackout(&self) -> Value {
        let day = 200 + self.next("blackout");
        json!({"starts_at": sh(day, 9, 0), "ends_at": sh(day, 12, 0), "reason": "maintenance"})
    }

    async fn fresh_unavailability(&self) -> i64 {
        let res = self
            .app
            .post(
                "/api/v1/sites/alpha/rota/unavailability",
                &self.unavailability(),
                Some(&self.owner.token),
            )
            .await;
        id(&created(res, 201, "unavailability").await)
    }

    /// A new duty with `signer` on it every week: (duty, sign-up).
    async fn fresh_signup(&self) -> (i64, i64) {
        let k = self.next("duty");
        let start = 17 + k / 7;
        let res = self
            .app
            .post(
                "/api/v1/sites/alpha/duties",
                &json!({"name": format!("Evening duty {k}"), "weekday": WEEKDAYS[(k % 7) as usize],
                        "start": format!("{start}:00"), "end": format!("{}:00", start + 1), "capacity": 2}),
                Some(&self.admin.token),
            )
            .await;
        let duty = id(&created(res, 201, "duty").await);
        let res = self
            .app
            .post(
                &format!("/api/v1/sites/alpha/duties/{duty}/signups"),
                &json!({"scope": "weekly"}),
                Some(&self.signer.token),
            )
            .await;
        (duty, id(&created(res, 201, "sign-up").await))
    }

    async fn fresh_member(&self) -> i64 {
        self.app.quick_member("alpha", Roles::VOLUNTEER).await.id
    }

    /// The request `role` sends for the row `key`.
    async fn prepare(&self, key: &str, role: Role) -> Call {
        let mut call = Call {
            params: BTreeMap::from([("site", "alpha".to_owned())]),
            query: String::new(),
            body: json!({}),
            token: self.person(role).map(|p| p.token.clone()),
        };
        match key {
            "POST /api/v1/auth/login" => {
                call.body = json!({"email": self.login.email, "password": PASSWORD});
            }
            "POST /api/v1/auth/refresh" | "POST /api/v1/auth/logout" => {
                call.body = json!({"refresh_token": self.refresh_token().await});
            }
            "POST /api/v1/auth/accept-invite" => {
                call.body = json!({"token": "not-an-invitation", "password": "a long new password"});
            }
            "POST /api/v1/auth/forgot-password" => {
                call.body = json!({"email": "nobody@test.example"});
            }
            "POST /api/v1/auth/reset-password" => {
                call.body = json!({"token": "not-a-reset", "password": "a long new password"});
            }
            "POST /api/v1/me/password" => {
                call.token = self.stand_in(role).await;
                call.body = json!({"current_password": PASSWORD, "new_password": "another horse battery"});
            }
            "PUT /api/v1/me/notifications" => call.body = json!({"kinds": {}}),
            "PUT /api/v1/me/language" => call.body = json!({"language": "zh-CN"}),
            "POST /api/v1/sites/{site}/channels" => call.body = self.channel_body(self.next("channel")),
            "GET /api/v1/sites/{site}/channels/{id}"
            | "GET /api/v1/sites/{site}/channels/{id}/deliveries"
            | "POST /api/v1/sites/{site}/channels/{id}/test" => call.set("id", self.channel),
            "PATCH /api/v1/sites/{site}/channels/{id}" => {
                call.set("id", self.channel);
                call.body = json!({"topics": ["rota.published", "duty.uncovered"]});
            }
            "DELETE /api/v1/sites/{site}/channels/{id}" => call.set("id", self.fresh_channel().await),
            "POST /api/v1/admin/outbox/{id}/retry" => call.set("id", self.outbox),
            "POST /api/v1/sites" => {
                let n = self.next("site");
                call.body = json!({"name": "New committee", "slug": format!("new-{n}")});
            }
            "PATCH /api/v1/sites/{site}" => call.body = json!({"name": "Alpha committee"}),
            "POST /api/v1/sites/{site}/members" => {
                let n = self.next("member");
                call.body = json!({"email": format!("new-{n}@test.example"), "name": format!("New {n}"),
                                   "roles": ["volunteer"]});
            }
            "GET /api/v1/sites/{site}/members/{user_id}" => call.set("user_id", self.target.id),
            "GET /api/v1/sites/{site}/members/{user_id} [self]" => {
                call.set("user_id", self.person(role).unwrap_or(&self.target).id);
            }
            "PATCH /api/v1/sites/{site}/members/{user_id}" => {
                call.set("user_id", self.target.id);
                call.body = json!({"senior": true, "skills": ["medical"]});
            }
            "DELETE /api/v1/sites/{site}/members/{user_id}" => call.set("user_id", self.fresh_member().await),
            "POST /api/v1/sites/{site}/resources" => {
                let n = self.next("resource");
                call.body = json!({"name": format!("New room {n}"), "kind": "room", "capacity": 10});
            }
            "GET /api/v1/sites/{site}/resources/{id}" => call.set("id", self.room),
            "PATCH /api/v1/sites/{site}/resources/{id}" => {
                call.set("id", self.scratch);
                call.body = json!({"name": "Store room", "features": ["shelves"]});
            }
            "DELETE /api/v1/sites/{site}/resources/{id}" => call.set("id", self.fresh_resource().await),
            "POST /api/v1/sites/{site}/resources/{id}/blackouts" => {
                call.set("id", self.scratch);
                call.body = self.blackout();
            }
            "GET /api/v1/sites/{site}/resources/{id}/blackouts" => call.set("id", self.scratch),
            "DELETE /api/v1/sites/{site}/resources/{id}/blackouts/{blackout_id}" => {
                call.set("id", self.scratch);
                call.set("blackout_id", self.fresh_blackout().await);
            }
            "POST /api/v1/sites/{site}/groups" => {
                let n = self.next("group");
                call.body = json!({"name": format!("Choir {n}"), "leader_id": self.leader.id});
            }
            "POST /api/v1/sites/{site}/bookings" => call.body = self.booking_body(self.room, "room"),
            "POST /api/v1/sites/{site}/bookings [computer]" => {
                call.body = self.booking_body(self.computer, "computer");
            }
            "POST /api/v1/sites/{site}/bookings [for a group]" => {
                call.body = self.booking_body(self.room, "room");
                call.body["group_id"] = json!(self.group);
            }
            "GET /api/v1/sites/{site}/bookings/{id}" | "POST /api/v1/sites/{site}/bookings/{id}/check-in" => {
                call.set("id", self.booking);
            }
            "DELETE /api/v1/sites/{site}/bookings/{id}" => call.set("id", self.fresh_booking().await),
            "POST /api/v1/sites/{site}/bookings/{id}/approve"
            | "POST /api/v1/sites/{site}/bookings/{id}/reject" => {
                call.set("id", self.fresh_pending().await);
            }
            "GET /api/v1/sites/{site}/booking-series/{id}" => call.set("id", self.series),
            "PATCH /api/v1/sites/{site}/booking-series/{id}" => {
                call.set("id", self.series);
                call.body = json!({"purpose": "choir practice", "headcount": 12});
            }
            "DELETE /api/v1/sites/{site}/booking-series/{id}" => call.set("id", self.fresh_series().await),
            "GET /api/v1/sites/{site}/availability" => call.query = format!("?resource_id={}", self.room),
            "DELETE /api/v1/sites/{site}/waitlist/{id}" => call.set("id", self.fresh_waitlist_entry().await),
            "POST /api/v1/sites/{site}/duties" => {
                call.body = json!({"name": "Tea corner", "weekday": "thu", "start": "10:00", "end": "11:00",
                                   "capacity": 2});
            }
            "POST /api/v1/sites/{site}/duties/{id}/signups" => {
                call.set("id", self.duty_open);
                call.body = json!({"scope": "weekly"});
            }
            "DELETE /api/v1/sites/{site}/duties/{id}/signups/{signup_id}" => {
                let (duty, signup) = self.fresh_signup().await;
                call.set("id", duty);
                call.set("signup_id", signup);
            }
            "POST /api/v1/sites/{site}/duties/{id}/absences" => {
                call.set("id", self.duty_on);
                call.body = json!({"date": self.next_tuesday, "reason": "doctor's appointment"});
            }
            "POST /api/v1/sites/{site}/duties/{id}/attendance" => {
                call.set("id", self.duty_on);
                call.body = json!({"date": self.next_tuesday, "volunteer_id": self.volunteer.id, "status": "attended"});
            }
            "PUT /api/v1/sites/{site}/calendar" => call.body = json!({"holidays": [], "workdays": []}),
            "PUT /api/v1/sites/{site}/rota/templates" => call.body = templates(),
            "POST /api/v1/sites/{site}/rota/unavailability" => call.body = self.unavailability(),
            "POST /api/v1/sites/{site}/rota/unavailability [for someone else]" => {
                call.body = self.unavailability();
                call.body["user_id"] = json!(self.owner.id);
            }
            "DELETE /api/v1/sites/{site}/rota/unavailability/{id}" => {
                call.set("id", self.fresh_unavailability().await);
            }
            "POST /api/v1/sites/{site}/rota/generate" | "POST /api/v1/sites/{site}/rota/publish" => {
                call.body = self.next_period.clone();
            }
            "PUT /api/v1/sites/{site}/rota/shifts/{id}" => {
                call.set("id", self.shift_edit);
                call.body = json!({"assignees": []});
            }
            "POST /api/v1/sites/{site}/rota/shifts/{id}/offer" => call.set("id", self.shift_offer),
            "POST /api/v1/sites/{site}/rota/shifts/{id}/take" => call.set("id", self.shift_take),
            "GET /api/v1/calendar/{token}.ics" => {
                call.params.insert("token", self.feed_token.clone());
            }
            "GET /api/v1/sites/{site}/people/{user_id}/schedule" => call.set("user_id", self.staff.id),
            // `false`: the operator's call leaves the member as it was.
            "PUT /api/v1/admin/users/{id}/observer" => {
                call.set("id", self.target.id);
                call.body = json!({"observer": false});
            }
            _ => {}
        }
        call
    }

    async fn send(&self, method: &Method, template: &str, call: &Call) -> u16 {
        let mut path = template.to_owned();
        for (name, value) in &call.params {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        // A parameter of a route this test does not know yet: any id.
        while let Some(start) = path.find('{') {
            let end = start + path[start..].find('}').expect("closing brace");
            path.replace_range(start..=end, "1");
        }
        let mut req = self
            .app
            .client
            .request(method.clone(), self.app.url(&format!("{path}{}", call.query)));
        if let Some(token) = &call.token {
            req = req.bearer_auth(token);
        }
        if [Method::POST, Method::PUT, Method::PATCH].contains(method) {
            req = req.json(&call.body);
        }
        req.send().await.expect("request").status().as_u16()
    }
}

/// The expected table, parsed; malformed rows are problems.
fn parse_expected(problems: &mut Vec<String>) -> BTreeMap<String, Vec<char>> {
    let mut table = BTreeMap::new();
    for (key, cells) in EXPECTED {
        let cells: Vec<char> = cells
            .split_whitespace()
            .map(|c| {
                let mut chars = c.chars();
                match (chars.next(), chars.next()) {
                    (Some(ch), None) if "UFNA*".contains(ch) => ch,
                    _ => '?',
                }
            })
            .collect();
        if cells.len() != COLUMNS.len() || cells.contains(&'?') {
            problems.push(format!("{key}: a row is eight of U F N A *"));
        }
        if table.insert(key.to_string(), cells).is_some() {
            problems.push(format!("{key}: listed twice"));
        }
    }
    table
}

/// The rules every row obeys, whatever the server does.
fn check_rules(table: &BTreeMap<String, Vec<char>>, problems: &mut Vec<String>) {
    for (key, cells) in table {
        if cells.len() != COLUMNS.len() {
            continue;
        }
        let op = operation(key);
        let path = op.split_once(' ').map(|(_, p)| p).unwrap_or(op);
        let public = PUBLIC.contains(&op);
        let cell = |role: Role| cells[column(role)];
        if public == (cell(Role::Anonymous) == 'U') {
            problems.push(format!(
                "{key}: anonymous callers get 401 exactly on the routes not listed in PUBLIC"
            ));
        }
        if path.starts_with("/api/v1/sites/{site}") && !public && cell(Role::OtherSiteAdmin) != 'N' {
            problems.push(format!(
                "{key}: another site's admin gets 404, so a site's existence does not leak"
            ));
        }
        if path.starts_with("/api/v1/admin/") || op == "POST /api/v1/sites" {
            let members = [
                Role::Volunteer,
                Role::GroupLeader,
                Role::Staff,
                Role::Admin,
                Role::OtherSiteAdmin,
            ];
            if members.iter().any(|r| cell(*r) != 'F')
                || cell(Role::Operator) != 'A'
                || cell(Role::Observer) != 'F'
            {
                problems.push(format!("{key}: operators only, 403 for everyone else"));
            }
        }
        // A district observer changes nothing on a site.
        if path.starts_with("/api/v1/sites")
            && !op.starts_with("GET ")
            && !matches!(cell(Role::Observer), 'F' | 'N')
            && !public
        {
            problems.push(format!("{key}: a district observer changes nothing (403 or 404)"));
        }
        // A site-admin route (admins yes, staff no) is closed to volunteers.
        if path.starts_with("/api/v1/sites/{site}")
            && cell(Role::Admin) == 'A'
            && cell(Role::Staff) == 'F'
            && !matches!(cell(Role::Volunteer), 'F' | 'N')
        {
            problems.push(format!("{key}: a site-admin route refuses volunteers"));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_every_kind_of_caller_as_the_table_says() {
    let world = World::build().await;
    let mut problems = Vec::new();
    let expected = parse_expected(&mut problems);
    check_rules(&expected, &mut problems);

    let res = world.app.get("/api-docs/openapi.json", None).await;
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.expect("openapi json");
    let mut ops: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                ops.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(ops.len() >= 70, "only {} operations documented", ops.len());
    ops.sort_by_key(|op| (destructive(op), op.clone()));

    let mut observed: Vec<(String, [u16; 8])> = Vec::new();
    for op in &ops {
        let (method, template) = op.split_once(' ').expect("METHOD /path");
        let method: Method = method.parse().expect("method");
        for variant in variants(op) {
            let key = format!("{op}{variant}");
            let mut statuses = [0u16; 8];
            for role in SEND_ORDER {
                let call = world.prepare(&key, role).await;
                statuses[column(role)] = world.send(&method, template, &call).await;
            }
            observed.push((key, statuses));
        }
    }

    let seen: BTreeSet<&str> = observed.iter().map(|(k, _)| k.as_str()).collect();
    for key in expected.keys() {
        if !seen.contains(key.as_str()) {
            problems.push(format!("{key}: in the table but not in the OpenAPI document"));
        }
    }
    let mut lines = Vec::new();
    for (key, statuses) in &observed {
        let letters: Vec<String> = statuses.iter().map(|s| letter(*s).to_string()).collect();
        let codes: Vec<String> = statuses.iter().map(u16::to_string).collect();
        let mut line = format!(
            "    ({:<61} \"{}\"), // {}",
            format!("{key:?},"),
            letters.join(" "),
            codes.join(" ")
        );
        for (role, status) in COLUMNS.iter().zip(statuses) {
            if *status >= 500 {
                problems.push(format!("{key}: {role:?} got {status}"));
            }
        }
        match expected.get(key) {
            None => {
                problems.push(format!("{key}: not classified in EXPECTED"));
                line.push_str("  <- new");
            }
            Some(cells) if cells.len() == COLUMNS.len() => {
                let wrong: Vec<String> = COLUMNS
                    .iter()
                    .zip(cells)
                    .zip(statuses)
                    .filter(|((_, cell), status)| !fits(**cell, **status))
                    .map(|((role, cell), status)| format!("{role:?} got {status}, expected {cell}"))
                    .collect();
                if !wrong.is_empty() {
                    problems.push(format!("{key}: {}", wrong.join("; ")));
                    let cells: Vec<String> = cells.iter().map(char::to_string).collect();
                    line.push_str(&format!("  <- expected {}", cells.join(" ")));
                }
            }
            Some(_) => {}
        }
        lines.push(line);
    }
    if !problems.is_empty() {
        eprintln!(
            "Observed ({} rows; anonymous, volunteer, group leader, staff, admin, operator, other site's admin, observer):",
            lines.len()
        );
        for line in &lines {
            eprintln!("{line}");
        }
        panic!("{} problems:\n{}", problems.len(), problems.join("\n"));
    }
}
