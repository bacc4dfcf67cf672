//! The pure core's hot functions at the sizes a busy site gives them (the
//! rota solver has its own bench, `rota`):
//!
//! - `conflicts`: which bookings a 45-minute request runs into, among a
//!   desk's whole day of 15-minute bookings (more than the database ever
//!   hands it: it reads only the time asked for plus the buffer);
//! - `free_windows`: where 45 minutes fit on a computer over a week with
//!   twelve hourly bookings a day, ten blackouts and a 15-minute buffer
//!   (what `GET .../availability` computes per pool member);
//! - `pick_evenly`: the allocator choosing among a pool of eight.
//!
//! `cargo bench --bench core`; figures in `docs/performance.md`.

use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use criterion::{Criterion, criterion_group, criterion_main};
use livingroom::domain::allocation::{Candidate, pick_evenly};
use livingroom::domain::availability::{Busy, ResourceCalendar, blocked_by, conflicts, free_windows};
use livingroom::domain::interval::Interval;
use livingroom::domain::resource::{ResourceKind, Rules};

/// Monday 2026-03-02 00:00 in Shanghai, as UTC.
fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 16, 0, 0).unwrap()
}

fn busy(id: i64, start: DateTime<Utc>, minutes: i64, rules: &Rules) -> Busy {
    let slot = Interval::of(start, start + Duration::minutes(minutes));
    Busy {
        booking_id: id,
        slot,
        blocked: blocked_by(slot, rules),
    }
}

fn conflict_check(c: &mut Criterion) {
    let rules = Rules::defaults_for(ResourceKind::Desk);
    let day = monday() + Duration::hours(8);
    // Every other quarter hour of a twelve-hour day is taken.
    let taken: Vec<Busy> = (0..24)
        .map(|i| busy(i, day + Duration::minutes(30 * i), 15, &rules))
        .collect();
    let request = Interval::of(
        day + Duration::hours(6),
        day + Duration::hours(6) + Duration::minutes(45),
    );
    assert!(
        !conflicts(request, &rules, &taken).is_empty(),
        "the bench asks for a taken time"
    );
    c.bench_function("core/conflicts_45min_in_a_busy_day", |b| {
        b.iter(|| conflicts(black_box(request), black_box(&rules), black_box(&taken)).len())
    });
}

fn availability(c: &mut Criterion) {
    let mut rules = Rules::defaults_for(ResourceKind::Computer);
    rules.buffer_minutes = 15;
    let week = monday();
    let mut taken = Vec::new();
    for day in 0..7 {
        for hour in 8..20 {
            let start = week + Duration::days(day) + Duration::hours(hour);
            taken.push(busy(day * 100 + hour, start, 30, &rules));
        }
    }
    let blackouts: Vec<Interval> = (0..10)
        .map(|i| {
            let start = week + Duration::hours(13 + 17 * i);
            Interval::of(start, start + Duration::minutes(20))
        })
        .collect();
    let calendar = ResourceCalendar {
        resource_id: 1,
        rules: &rules,
        opening: None,
        blackouts: &blackouts,
        busy: &taken,
        retired: false,
    };
    let window = Interval::of(week, week + Duration::days(7));
    let now = week - Duration::hours(1);
    let found = free_windows(Shanghai, &calendar, window, Duration::minutes(45), now);
    assert!(!found.is_empty(), "the bench finds free time");
    c.bench_function("core/free_windows_week_45min", |b| {
        b.iter(|| {
            free_windows(
                Shanghai,
                black_box(&calendar),
                black_box(window),
                Duration::minutes(45),
                now,
            )
            .len()
        })
    });
}

fn allocator(c: &mut Criterion) {
    let pool: Vec<Candidate> = (0..8)
        .map(|i| Candidate {
            resource_id: 100 + i,
            load_minutes: (i * 37) % 240,
        })
        .collect();
    c.bench_function("core/pick_evenly_pool_of_8", |b| {
        b.iter(|| pick_evenly(black_box(&pool)))
    });
}

criterion_group!(benches, conflict_check, availability, allocator);
criterion_main!(benches);
