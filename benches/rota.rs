//! The rota solver at district scale: one run drafts four weeks for 300
//! residents' committees (Putuo has thousands of community workers over
//! hundreds of committees), each with 10 staff under the 330 method: the
//! 首问接待 desk Mon-Fri 08:30-15:30 with one person, and 15:30-17:30 with two,
//! a senior among them, and one colleague new in the first two weeks (以老带新).

use std::hint::black_box;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Asia::Shanghai;
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use livingroom::domain::interval::Interval;
use livingroom::domain::local_time::{at_minutes, resolve, week_start};
use livingroom::domain::rota::{RotaProblem, ShiftSlot, StaffMember, solve, violations};

const SITES: u64 = 300;
const STAFF: i64 = 10;
const WEEKS: i64 = 4;

/// A small deterministic generator (xorshift), so every run drafts the same district.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }
}

fn local(date: NaiveDate, minutes: u32) -> DateTime<Utc> {
    resolve(Shanghai, at_minutes(date, minutes)).expect("Shanghai has no DST gaps")
}

fn site(index: u64) -> RotaProblem {
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15 ^ (index + 1).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let first_monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let base = index as i64 * 1_000;
    let seniors = 2 + dice.roll(2) as i64;

    let staff = (0..STAFF)
        .map(|i| {
            let mut unavailable = Vec::new();
            // A week's annual leave for some, training days and booked home visits for others.
            if dice.roll(4) == 0 {
                let from = first_monday + Duration::days(7 * dice.roll(WEEKS as u64) as i64);
                unavailable.push(Interval::of(local(from, 0), local(from + Duration::days(5), 0)));
            }
            for _ in 0..dice.roll(4) {
                let day = first_monday + Duration::days(dice.roll(7 * WEEKS as u64) as i64);
                let start = 8 * 60 + 30 * dice.roll(16) as u32;
                unavailable.push(Interval::of(local(day, start), local(day, start + 120)));
            }
            StaffMember {
                id: base + i,
                senior: i < seniors,
                // The director also chairs meetings: at most two desk turns a week.
                max_shifts_per_week: (i == 0).then_some(2),
                unavailable,
                // The newest colleague joined a fortnight before: never alone at the desk yet.
                new_until: (i == STAFF - 1).then(|| local(first_monday + Duration::days(14), 0)),
            }
        })
        .collect();

    let mut shifts = Vec::new();
    for week in 0..WEEKS {
        for weekday in 0..5 {
            let date = first_monday + Duration::days(week * 7 + weekday);
            let id = base + (week * 7 + weekday) * 2;
            for (offset, (from, to), positions) in [(0, (510, 930), 1), (1, (930, 1050), 2)] {
                shifts.push(ShiftSlot {
                    id: id + offset,
                    interval: Interval::of(local(date, from), local(date, to)),
                    date,
                    week: week_start(date),
                    positions,
                    // Now and then the secretary has already put someone on.
                    fixed: if dice.roll(20) == 0 {
                        vec![base + dice.roll(STAFF as u64) as i64]
                    } else {
                        Vec::new()
                    },
                });
            }
        }
    }
    let history = (0..STAFF).map(|i| (base + i, dice.roll(6) as u32)).collect();
    RotaProblem {
        shifts,
        staff,
        history,
    }
}

fn district(c: &mut Criterion) {
    let sites: Vec<RotaProblem> = (0..SITES).map(site).collect();
    // Time only a solver that is right on this very data.
    for problem in &sites {
        assert_eq!(
            violations(problem, &solve(problem)),
            Vec::<livingroom::domain::rota::Breach>::new()
        );
    }
    let mut group = c.benchmark_group("rota");
    group.sampling_mode(SamplingMode::Flat).sample_size(20);
    group.bench_function("district_300x10x4w", |b| {
        b.iter(|| {
            for problem in black_box(&sites) {
                black_box(solve(problem));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, district);
criterion_main!(benches);
