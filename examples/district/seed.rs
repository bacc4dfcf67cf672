//! The district's rows, written straight into the database: sites, staff
//! and resources through the store functions (a few thousand rows), then a
//! year of bookings as bulk `INSERT ... SELECT`s, a month per transaction,
//! in time order across all sites as a live deployment would have written
//! them, as a bulk load (`bulk.rs`): indexes, the overlap guard and the
//! row triggers are set aside and everything they keep is built and
//! checked once at the end.

use std::collections::BTreeMap;
use std::time::{Duration as StdDuration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use livingroom::clock;
use livingroom::db::schema::{memberships, resources as resource_table, sites as site_table};
use livingroom::db::{BackendKind, Db, DbConn};
use livingroom::domain::local_time::{local_date, midnight};
use livingroom::domain::person::{Language, Roles};
use livingroom::domain::resource::{OpeningHours, ResourceKind, Rules};
use livingroom::errors::ApiError;
use livingroom::store::resources::{self, ResourceFields};
use livingroom::store::sites::{self, SiteChanges};
use livingroom::store::users;

use crate::PASSWORD;

/// Every site's zone: the district is in one city.
pub const ZONE: &str = "Asia/Shanghai";
/// The pool of desks the load books, and the pool availability searches.
pub const DESK_POOL: &str = "front-desk";
pub const COMPUTER_POOL: &str = "computers";
/// Days of the booking pattern that lie ahead of today.
pub const FUTURE_DAYS: i64 = 14;

/// How big a district to seed.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub sites: usize,
    pub staff: usize,
    pub computers: usize,
    pub desks: usize,
    pub rooms: usize,
    /// Days of history behind today.
    pub days: i64,
}

impl Shape {
    pub fn resources(&self) -> usize {
        self.computers + self.desks + self.rooms
    }

    /// Bookings a site takes a day (see [`PATTERN`]).
    pub fn bookings_per_site_day(&self) -> usize {
        let per = |kind: &str| PATTERN.iter().filter(|p| p.kind == kind).count();
        self.computers * per("computer") + self.desks * per("desk") + self.rooms * per("room")
    }
}

/// One booking a day of one resource kind: when (local minutes) and how
/// long (`None`: 30, 45 or 60 minutes, varying with the hash of the day).
struct Slot {
    kind: &'static str,
    start_min: u32,
    minutes: Option<u32>,
}

/// A plausible day: four computer sessions, two desk shifts (morning and
/// afternoon), three room bookings inside the rooms' opening hours.
const PATTERN: [Slot; 9] = [
    Slot {
        kind: "computer",
        start_min: 9 * 60,
        minutes: None,
    },
    Slot {
        kind: "computer",
        start_min: 10 * 60 + 30,
        minutes: None,
    },
    Slot {
        kind: "computer",
        start_min: 14 * 60,
        minutes: None,
    },
    Slot {
        kind: "computer",
        start_min: 15 * 60 + 30,
        minutes: None,
    },
    Slot {
        kind: "desk",
        start_min: 8 * 60 + 30,
        minutes: Some(240),
    },
    Slot {
        kind: "desk",
        start_min: 13 * 60 + 30,
        minutes: Some(240),
    },
    Slot {
        kind: "room",
        start_min: 9 * 60,
        minutes: Some(90),
    },
    Slot {
        kind: "room",
        start_min: 14 * 60,
        minutes: Some(120),
    },
    Slot {
        kind: "room",
        start_min: 18 * 60 + 30,
        minutes: Some(120),
    },
];

/// One seeded site as the load sees it.
pub struct Site {
    pub slug: String,
    /// Staff e-mail addresses, in the order they were made.
    pub staff: Vec<String>,
    /// The site's desks (pool [`DESK_POOL`]), by id.
    pub desks: Vec<i64>,
}

/// What seeding took and made.
pub struct Seeding {
    pub directory: StdDuration,
    pub bookings: StdDuration,
    /// PostgreSQL's `VACUUM ANALYZE` afterwards (what autovacuum would do).
    pub vacuum: StdDuration,
    pub rows: i64,
}

fn api(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

pub fn slug(i: usize) -> String {
    format!("site-{i:03}")
}

/// Seeds `shape` into the migrated, empty database behind `db`.
pub fn seed(db: &Db, shape: Shape) -> Result<Seeding> {
    let started = Instant::now();
    let stamp = clock::now().naive_utc();
    // One hash for every account: the same password, and argon2 once
    // instead of three thousand times.
    let hash = livingroom::auth::password::hash(PASSWORD)?;
    let mut layout = Vec::with_capacity(shape.sites);
    for i in 0..shape.sites {
        let site = db
            .write_blocking(|conn| directory_site(conn, shape, i, &hash, stamp))
            .map_err(api)
            .with_context(|| format!("seeding {}", slug(i)))?;
        layout.push(site);
    }
    let directory = started.elapsed();

    let started = Instant::now();
    let mut conn = db.get().map_err(api)?;
    let rows = bookings(&mut conn, db.kind(), shape, &layout)?;
    let bookings = started.elapsed();
    let started = Instant::now();
    if db.kind() == BackendKind::Postgres {
        conn.batch_execute("VACUUM ANALYZE")?;
    }
    Ok(Seeding {
        directory,
        bookings,
        vacuum: started.elapsed(),
        rows,
    })
}

/// A seeded site's ids, for the bulk insert.
struct Ids {
    site: i64,
    first_user: i64,
    /// (resource id, kind) in the order made.
    resources: Vec<(i64, &'static str)>,
}

fn directory_site(
    conn: &mut DbConn,
    shape: Shape,
    i: usize,
    hash: &str,
    stamp: NaiveDateTime,
) -> Result<Ids, ApiError> {
    let slug = slug(i);
    let site = sites::insert(conn, &slug, &format!("社区居委会 {i:03}"), ZONE, stamp)?;
    // Staff here book far more than one person would in the load (the
    // default cap is 200 future bookings a person).
    sites::update_settings(
        conn,
        site.id,
        &SiteChanges {
            max_future_bookings_per_person: Some(None),
            ..SiteChanges::default()
        },
    )?;
    let mut first_user = None;
    for j in 0..shape.staff {
        let email = format!("staff{j}@{slug}.example");
        let user = users::insert(
            conn,
            &users::NewUser {
                email: &email,
                name: &format!("社工 {i:03}-{j}"),
                other_name: None,
                password_hash: Some(hash),
                language: Language::ZhCn,
                is_operator: false,
            },
            stamp,
        )?;
        let first = *first_user.get_or_insert(user.id);
        if user.id != first + j as i64 {
            return Err(ApiError::internal(anyhow::anyhow!(
                "expected consecutive user ids at {slug}"
            )));
        }
        let roles = Roles {
            admin: j == 0,
            staff: true,
            volunteer: false,
            group_leader: false,
        };
        users::insert_membership(conn, site.id, user.id, roles, j < 3, stamp, None)?;
    }
    let room_hours: BTreeMap<String, Vec<String>> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| ((*d).to_owned(), vec!["08:00-21:00".to_owned()]))
        .collect();
    let room_hours = OpeningHours::parse(&room_hours).map_err(ApiError::from)?;
    // Front desks are staffed by the rota, not claimed at a kiosk.
    let desk_rules = Rules {
        check_in_required: false,
        ..Rules::defaults_for(ResourceKind::Desk)
    };
    let mut made = Vec::with_capacity(shape.resources());
    let kinds = [
        (ResourceKind::Computer, shape.computers, "computer"),
        (ResourceKind::Desk, shape.desks, "desk"),
        (ResourceKind::Room, shape.rooms, "room"),
    ];
    for (kind, count, name) in kinds {
        for k in 1..=count {
            let fields = ResourceFields {
                name: match kind {
                    ResourceKind::Computer => format!("电脑 {k}"),
                    ResourceKind::Desk => format!("前台 {k}"),
                    ResourceKind::Room => format!("活动室 {k}"),
                },
                kind,
                pool: match kind {
                    ResourceKind::Computer => Some(COMPUTER_POOL.to_owned()),
                    ResourceKind::Desk => Some(DESK_POOL.to_owned()),
                    ResourceKind::Room => None,
                },
                capacity: (kind == ResourceKind::Room).then_some(20),
                features: Vec::new(),
                opening_hours: (kind == ResourceKind::Room).then(|| room_hours.clone()),
                rules: if kind == ResourceKind::Desk {
                    desk_rules.clone()
                } else {
                    Rules::defaults_for(kind)
                },
            };
            made.push((resources::insert(conn, site.id, &fields, stamp)?.id, name));
        }
    }
    Ok(Ids {
        site: site.id,
        first_user: first_user.unwrap_or_default(),
        resources: made,
    })
}

/// Writes the bookings: every resource, every day of the history and of
/// the next [`FUTURE_DAYS`], following [`PATTERN`]. A cheap multiplicative
/// hash of (resource, day, slot) picks a computer booking's length, the
/// status and the owner among the site's staff. Past bookings are mostly
/// confirmed (computers checked in), the rest cancelled or (computers)
/// released as no-shows; future ones confirmed or cancelled. Computers held
/// in the next twelve hours are checked in, so the instances' no-show job
/// has nothing to release during a measurement.
fn bookings(conn: &mut DbConn, kind: BackendKind, shape: Shape, layout: &[Ids]) -> Result<i64> {
    let pg = kind == BackendKind::Postgres;
    let tz: chrono_tz::Tz = ZONE.parse().map_err(|_| anyhow::anyhow!("zone"))?;
    let now = clock::now();
    let today = local_date(tz, now);
    let first_day: NaiveDate = today - Duration::days(shape.days);
    let total_days = shape.days + FUTURE_DAYS;
    // Local midnight of the first day, in UTC; the zone has kept one offset
    // since 1991, so whole days later are whole days of 1440 minutes.
    let base = midnight(tz, first_day).naive_utc();
    let res_rows: Vec<String> = layout
        .iter()
        .flat_map(|ids| {
            ids.resources
                .iter()
                .map(move |(id, kind)| format!("({id}, {}, '{kind}', {})", ids.site, ids.first_user))
        })
        .collect();
    let pattern_rows: Vec<String> = PATTERN
        .iter()
        .enumerate()
        .map(|(n, s)| {
            format!(
                "({n}, '{}', {}, {})",
                s.kind,
                s.start_min,
                s.minutes.map_or("NULL".to_owned(), |m| m.to_string())
            )
        })
        .collect();
    conn.batch_execute(&format!(
        "CREATE TEMP TABLE seed_res (resource_id BIGINT PRIMARY KEY, site_id BIGINT NOT NULL,
             kind TEXT NOT NULL, first_user BIGINT NOT NULL);
         CREATE TEMP TABLE seed_pattern (n INTEGER PRIMARY KEY, kind TEXT NOT NULL,
             start_min INTEGER NOT NULL, dur INTEGER);
         INSERT INTO seed_pattern VALUES {};",
        pattern_rows.join(",")
    ))?;
    for chunk in res_rows.chunks(1000) {
        conn.batch_execute(&format!("INSERT INTO seed_res VALUES {};", chunk.join(",")))?;
    }
    let rebuild = crate::bulk::start(conn)?;
    let stamp = now.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string();
    let mut written = 0i64;
    let month = 31;
    let mut d0 = 0;
    while d0 < total_days {
        let d1 = (d0 + month).min(total_days) - 1;
        let started = Instant::now();
        conn.batch_execute(&month_sql(pg, shape.staff, base, &stamp, d0, d1))
            .with_context(|| format!("seeding days {d0}-{d1}"))?;
        let n: i64 = livingroom::db::schema::bookings::table.count().get_result(conn)?;
        eprintln!(
            "  days {:>3}-{:>3} ({} to {}): {:>9} bookings in {:.1} s",
            d0,
            d1,
            first_day + Duration::days(d0),
            first_day + Duration::days(d1),
            n - written,
            started.elapsed().as_secs_f64()
        );
        written = n;
        d0 = d1 + 1;
    }
    conn.batch_execute("DROP TABLE seed_res; DROP TABLE seed_pattern;")?;
    crate::bulk::finish(conn, rebuild)?;
    Ok(written)
}

/// One transaction: the bookings of days `d0..=d1` (counted from the first
/// day) of every resource, in order of start time.
fn month_sql(pg: bool, staff: usize, base: NaiveDateTime, now: &str, d0: i64, d1: i64) -> String {
    let ts = |lit: &str| {
        if pg {
            format!("TIMESTAMPTZ '{lit}+00'")
        } else {
            format!("'{lit}'")
        }
    };
    let plus_minutes = |t: &str, minutes: &str| {
        if pg {
            format!("({t} + ({minutes}) * INTERVAL '1 minute')")
        } else {
            format!("datetime({t}, '+' || ({minutes}) || ' minutes')")
        }
    };
    let shift = |t: &str, by: &str| {
        if pg {
            format!("({t} + INTERVAL '{by}')")
        } else {
            format!("datetime({t}, '{by}')")
        }
    };
    let least = |a: &str, b: &str| {
        if pg {
            format!("LEAST({a}, {b})")
        } else {
            format!("min({a}, {b})")
        }
    };
    let base = ts(&base.format("%Y-%m-%d %H:%M:%S").to_string());
    let now = ts(now);
    let days = if pg {
        format!("days(d) AS (SELECT g FROM generate_series({d0}::bigint, {d1}) AS g)")
    } else {
        format!("days(d) AS (SELECT {d0} UNION ALL SELECT d + 1 FROM days WHERE d < {d1})")
    };
    let (begin, falsy) = if pg {
        ("BEGIN", "FALSE")
    } else {
        ("BEGIN IMMEDIATE", "0")
    };
    let start = plus_minutes(&base, "m0");
    let end = plus_minutes(&base, "m0 + dur");
    let created = least(&shift("st", "-3 days"), &now);
    let cancelled_at = least(&shift("st", "-1 days"), &now);
    let released_at = shift("st", "+15 minutes");
    let checked_in_before = plus_minutes(&now, "720");
    format!(
        "{begin};
WITH RECURSIVE {days},
x AS (
    SELECT r.resource_id AS resource_id, r.site_id AS site_id, r.kind AS kind, r.first_user AS first_user,
           ((r.resource_id * 4096 + dd.d * 16 + p.n) * 2654435761) % 1000003 AS h,
           dd.d * 1440 + p.start_min AS m0, p.dur AS fixed
    FROM days dd CROSS JOIN seed_pattern p JOIN seed_res r ON r.kind = p.kind
),
y AS (
    SELECT x.*, COALESCE(fixed, CASE (h / 100) % 3 WHEN 0 THEN 30 WHEN 1 THEN 45 ELSE 60 END) AS dur FROM x
),
z AS (
    SELECT y.*, {start} AS st, {end} AS en, h % 100 AS r FROM y
),
w AS (
    SELECT z.*,
        CASE WHEN st < {now} THEN
            CASE WHEN r < 80 THEN 'confirmed' WHEN r < 93 OR kind <> 'computer' THEN 'cancelled' ELSE 'released' END
        ELSE
            CASE WHEN r < 88 THEN 'confirmed' ELSE 'cancelled' END
        END AS stat,
        first_user + (h / 400) % {staff} AS own
    FROM z
)
INSERT INTO bookings (site_id, resource_id, owner_id, starts_at, ends_at, busy_until, status,
    urgency, purpose, headcount, flexible, created_at, updated_at, checked_in_at, ended_at, ended_by)
SELECT site_id, resource_id, own, st, en, en, stat,
    CASE WHEN (h / 7) % 50 = 0 THEN 'priority' ELSE 'routine' END,
    CASE kind WHEN 'computer' THEN '网上办事' WHEN 'desk' THEN '前台值班' ELSE '社区活动' END,
    CASE WHEN kind = 'room' THEN 8 + (h % 12) END,
    {falsy}, {created}, {created},
    CASE WHEN stat = 'confirmed' AND kind = 'computer' AND st < {checked_in_before} THEN st END,
    CASE stat WHEN 'cancelled' THEN {cancelled_at} WHEN 'released' THEN {released_at} END,
    CASE WHEN stat = 'cancelled' THEN own END
FROM w
ORDER BY st, resource_id;
COMMIT;"
    )
}

/// Reads back the seeded sites (slug `site-NNN`): their staff and desks.
pub fn layout(conn: &mut DbConn) -> Result<Vec<Site>> {
    use livingroom::db::schema::users;
    let found: Vec<(i64, String)> = site_table::table
        .filter(site_table::slug.like("site-%"))
        .order(site_table::id)
        .select((site_table::id, site_table::slug))
        .load(conn)?;
    if found.is_empty() {
        bail!("no seeded sites (slug site-NNN) in this database");
    }
    let ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
    let staff: Vec<(i64, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::site_id.eq_any(&ids))
        .filter(memberships::is_staff.eq(true))
        .order((memberships::site_id, users::id))
        .select((memberships::site_id, users::email))
        .load(conn)?;
    let desks: Vec<(i64, i64)> = resource_table::table
        .filter(resource_table::site_id.eq_any(&ids))
        .filter(resource_table::pool.eq(DESK_POOL))
        .order((resource_table::site_id, resource_table::id))
        .select((resource_table::site_id, resource_table::id))
        .load(conn)?;
    let mut sites: BTreeMap<i64, Site> = found
        .into_iter()
        .map(|(id, slug)| {
            (
                id,
                Site {
                    slug,
                    staff: Vec::new(),
                    desks: Vec::new(),
                },
            )
        })
        .collect();
    for (site, email) in staff {
        if let Some(s) = sites.get_mut(&site) {
            s.staff.push(email);
        }
    }
    for (site, desk) in desks {
        if let Some(s) = sites.get_mut(&site) {
            s.desks.push(desk);
        }
    }
    let sites: Vec<Site> = sites.into_values().collect();
    if sites.iter().any(|s| s.staff.is_empty() || s.desks.is_empty()) {
        bail!("a seeded site has no staff or no desks");
    }
    Ok(sites)
}
