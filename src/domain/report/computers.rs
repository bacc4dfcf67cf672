//! Computers (report 2 of the quarterly check): per computer the hours
//! booked and used and the no-shows released; for the site, the waitlist
//! (who waited, how long) and the urgent displacements by urgency.
//!
//! Booked: the time a booking held the computer: a confirmed booking's
//! whole slot; a booking ended early after its holder checked in (cancelled
//! while in use, or displaced) up to its end. Used: from check-in (or the
//! start, if checked in early) to the end, the early end, or now, whichever
//! comes first. So used never exceeds booked. Both are clipped to the
//! period. A no-show is a booking released for want of a check-in, counted
//! in the period its slot starts in.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::rooms::hours;
use super::{Cell, Column, Table, Unit};
use crate::domain::booking::{BookingStatus, Urgency};
use crate::domain::interval::Interval;

/// A computer booking as the report needs it.
#[derive(Clone, Debug)]
pub struct Use {
    pub resource_id: i64,
    pub slot: Interval,
    pub status: BookingStatus,
    pub checked_in_at: Option<DateTime<Utc>>,
    /// When it ended early (cancelled, displaced, released).
    pub ended_at: Option<DateTime<Utc>>,
}

impl Use {
    /// The time the booking held its computer.
    pub fn held(&self) -> Option<Interval> {
        match self.status {
            BookingStatus::Confirmed => Some(self.slot),
            BookingStatus::Cancelled if self.checked_in_at.is_some() => {
                let end = self.ended_at.map_or(self.slot.end, |e| e.min(self.slot.end));
                Interval::of(self.slot.start, self.slot.start.max(end)).intersect(&self.slot)
            }
            _ => None,
        }
    }

    /// The time its holder was there (checked in), up to `now`.
    pub fn used(&self, now: DateTime<Utc>) -> Option<Interval> {
        let held = self.held()?;
        let from = self.checked_in_at?.max(held.start);
        let to = held.end.min(now);
        (from < to).then(|| Interval::of(from, to))
    }
}

/// A waitlist entry for a computer (or the computers' pool).
#[derive(Clone, Debug)]
pub struct Wait {
    /// When it joined the waitlist.
    pub joined_at: DateTime<Utc>,
    /// `waiting`, `served`, `expired` or `cancelled`.
    pub status: String,
    /// When it left the waitlist (served, expired, cancelled).
    pub ended_at: Option<DateTime<Utc>>,
}

/// One computer's figures.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ComputerUse {
    pub resource_id: i64,
    pub name: String,
    pub booked_hours: f64,
    pub used_hours: f64,
    pub no_shows: u32,
}

/// The waitlist for computers over the period (entries that joined in it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Waitlisted {
    /// Requests (and displaced bookings) that joined the waitlist.
    pub joined: u32,
    /// Of those, served: a booking was made for them.
    pub served: u32,
    /// Their start passed with no room for them.
    pub expired: u32,
    /// Withdrawn by their owner.
    pub cancelled: u32,
    /// Still waiting now.
    pub waiting: u32,
    /// Minutes from joining to being served, mean over the served; null if none.
    pub wait_minutes_mean: Option<f64>,
    /// The longest such wait.
    pub wait_minutes_max: Option<f64>,
}

/// Displacements of computer bookings by more urgent requests.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Displacements {
    pub total: u32,
    /// Per urgency category of the request that displaced (`priority`,
    /// `urgent`, `emergency`); the private reason itself is never shown.
    pub by_urgency: BTreeMap<String, u32>,
}

/// Report 2, computers, for one site and period.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ComputersReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Each computer, in name order.
    pub computers: Vec<ComputerUse>,
    pub booked_hours: f64,
    pub used_hours: f64,
    pub no_shows: u32,
    pub waitlist: Waitlisted,
    pub displacements: Displacements,
    /// Requests refused outright: not recorded by the service (a refusal
    /// writes nothing), so always null; see `not_counted`.
    pub refused: Option<u32>,
    /// Figures asked for that the stored data cannot give.
    pub not_counted: Vec<String>,
}

/// A computer's id and name.
pub type Computer = (i64, String);

/// What the report is made from.
pub struct Inputs<'a> {
    /// The period's first and last local dates.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The period's instants.
    pub window: Interval,
    pub now: DateTime<Utc>,
    pub computers: &'a [Computer],
    /// Bookings of the computers meeting the period.
    pub uses: &'a [Use],
    /// Waitlist entries for computers.
    pub waits: &'a [Wait],
    /// The urgency of the request behind each displacement in the period.
    pub displaced_by: &'a [Urgency],
}

/// The figures of the period at `now`.
pub fn build(i: &Inputs<'_>) -> ComputersReport {
    let Inputs {
        from,
        to,
        window,
        now,
        computers,
        uses,
        waits,
        displaced_by,
    } = *i;
    let rows: Vec<ComputerUse> = computers
        .iter()
        .map(|(id, name)| {
            let mine = uses.iter().filter(|u| u.resource_id == *id);
            let mut row = ComputerUse {
                resource_id: *id,
                name: name.clone(),
                booked_hours: 0.0,
                used_hours: 0.0,
                no_shows: 0,
            };
            for u in mine {
                let clipped = |i: Option<Interval>| {
                    i.and_then(|i| i.intersect(&window))
                        .map_or(0.0, |i| hours(i.duration()))
                };
                row.booked_hours += clipped(u.held());
                row.used_hours += clipped(u.used(now));
                if u.status == BookingStatus::Released && window.contains_instant(u.slot.start) {
                    row.no_shows += 1;
                }
            }
            row
        })
        .collect();
    ComputersReport {
        from,
        to,
        booked_hours: rows.iter().map(|r| r.booked_hours).fold(0.0, |a, b| a + b),
        used_hours: rows.iter().map(|r| r.used_hours).fold(0.0, |a, b| a + b),
        no_shows: rows.iter().map(|r| r.no_shows).sum(),
        computers: rows,
        waitlist: waitlisted(window, waits),
        displacements: displacements(displaced_by),
        refused: None,
        not_counted: vec!["refused".to_owned()],
    }
}

/// The waitlist's figures for entries that joined inside `window`.
pub fn waitlisted(window: Interval, waits: &[Wait]) -> Waitlisted {
    let mut w = Waitlisted::default();
    let mut minutes: Vec<f64> = Vec::new();
    for e in waits.iter().filter(|e| window.contains_instant(e.joined_at)) {
        w.joined += 1;
        match e.status.as_str() {
            "served" => {
                w.served += 1;
                if let Some(end) = e.ended_at {
                    minutes.push((end - e.joined_at).num_seconds().max(0) as f64 / 60.0);
                }
            }
            "expired" => w.expired += 1,
            "cancelled" => w.cancelled += 1,
            _ => w.waiting += 1,
        }
    }
    if !minutes.is_empty() {
        w.wait_minutes_mean = Some(minutes.iter().sum::<f64>() / minutes.len() as f64);
        w.wait_minutes_max = minutes.iter().copied().reduce(f64::max);
    }
    w
}

/// Displacements counted by the urgency of the request that displaced.
pub fn displacements(by: &[Urgency]) -> Displacements {
    let mut d = Displacements::default();
    for u in by {
        d.total += 1;
        *d.by_urgency.entry(u.code().to_owned()).or_default() += 1;
    }
    d
}

impl ComputersReport {
    /// One row per computer; the chart draws `used_hours`, the figure the
    /// check asks about (a booked computer nobody sat at helps no one).
    pub fn table(&self) -> Table {
        let col = |key, unit| Column { key, unit };
        let number = |n: f64| Cell::Number(Some(n));
        let rows = self
            .computers
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(c.name.clone()),
                    number(c.booked_hours),
                    number(c.used_hours),
                    number(f64::from(c.no_shows)),
                ]
            })
            .collect();
        Table {
            key: "computers",
            columns: vec![
                col("computer", Unit::Text),
                col("booked_hours", Unit::Hours),
                col("used_hours", Unit::Hours),
                col("no_shows", Unit::Count),
            ],
            rows,
            totals: Some(vec![
                Cell::Text(super::TOTAL.to_owned()),
                number(self.booked_hours),
                number(self.used_hours),
                number(f64::from(self.no_shows)),
            ]),
            chart: 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn t(h: i64, m: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap() + Duration::minutes(h * 60 + m)
    }

    fn slot(a: DateTime<Utc>, b: DateTime<Utc>) -> Interval {
        Interval::of(a, b)
    }

    fn day() -> Interval {
        slot(t(0, 0), t(24, 0))
    }

    #[test]
    fn booked_used_and_no_shows_per_computer() {
        let uses = [
            // Checked in 5 minutes late: booked 2 h, used 1 h 55.
            Use {
                resource_id: 1,
                slot: slot(t(9, 0), t(11, 0)),
                status: BookingStatus::Confirmed,
                checked_in_at: Some(t(9, 5)),
                ended_at: None,
            },
            // Displaced at 14:30 after checking in early: held and used 30 min.
            Use {
                resource_id: 1,
                slot: slot(t(14, 0), t(16, 0)),
                status: BookingStatus::Cancelled,
                checked_in_at: Some(t(13, 55)),
                ended_at: Some(t(14, 30)),
            },
            // Released: a no-show, no hours.
            Use {
                resource_id: 2,
                slot: slot(t(10, 0), t(11, 0)),
                status: BookingStatus::Released,
                checked_in_at: None,
                ended_at: Some(t(10, 15)),
            },
            // Cancelled before it began: nothing.
            Use {
                resource_id: 2,
                slot: slot(t(12, 0), t(13, 0)),
                status: BookingStatus::Cancelled,
                checked_in_at: None,
                ended_at: Some(t(8, 0)),
            },
        ];
        let computers = [(1, "PC 1".to_owned()), (2, "PC 2".to_owned())];
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let r = build(&Inputs {
            from: d,
            to: d,
            window: day(),
            now: t(30, 0),
            computers: &computers,
            uses: &uses,
            waits: &[],
            displaced_by: &[Urgency::Urgent],
        });
        // Used: 115 + 30 = 145 minutes.
        assert_eq!(r.computers[0].booked_hours, 2.5);
        assert!((r.computers[0].used_hours - 145.0 / 60.0).abs() < 1e-9);
        assert_eq!((r.computers[1].booked_hours, r.computers[1].no_shows), (0.0, 1));
        assert_eq!(r.no_shows, 1);
        assert_eq!(r.displacements.by_urgency.get("urgent"), Some(&1));
        assert_eq!(
            r.table().csv(),
            "computer,booked_hours,used_hours,no_shows\r\nPC 1,2.50,2.42,0\r\nPC 2,0.00,0.00,1\r\n合计,2.50,2.42,1\r\n"
        );
    }

    #[test]
    fn a_session_in_progress_is_used_up_to_now() {
        let u = Use {
            resource_id: 1,
            slot: slot(t(9, 0), t(11, 0)),
            status: BookingStatus::Confirmed,
            checked_in_at: Some(t(9, 0)),
            ended_at: None,
        };
        assert_eq!(u.used(t(10, 0)), Some(slot(t(9, 0), t(10, 0))));
    }

    #[test]
    fn waits_count_from_joining_to_being_served() {
        let waits = [
            Wait {
                joined_at: t(9, 0),
                status: "served".into(),
                ended_at: Some(t(9, 30)),
            },
            Wait {
                joined_at: t(10, 0),
                status: "served".into(),
                ended_at: Some(t(11, 30)),
            },
            Wait {
                joined_at: t(10, 0),
                status: "expired".into(),
                ended_at: Some(t(12, 0)),
            },
            Wait {
                joined_at: t(10, 0),
                status: "waiting".into(),
                ended_at: None,
            },
            // Joined the day before: another period's.
            Wait {
                joined_at: t(-1, 0),
                status: "served".into(),
                ended_at: Some(t(1, 0)),
            },
        ];
        let w = waitlisted(day(), &waits);
        assert_eq!((w.joined, w.served, w.expired, w.waiting), (4, 2, 1, 1));
        assert_eq!(
            (w.wait_minutes_mean, w.wait_minutes_max),
            (Some(60.0), Some(90.0))
        );
    }

    fn any_status() -> impl Strategy<Value = BookingStatus> {
        prop_oneof![
            Just(BookingStatus::Pending),
            Just(BookingStatus::Confirmed),
            Just(BookingStatus::Cancelled),
            Just(BookingStatus::Rejected),
            Just(BookingStatus::Released),
        ]
    }

    proptest! {
        /// Used time lies inside booked time, whatever the statuses, check-ins,
        /// early ends and `now`; and neither counts time outside the booking.
        #[test]
        fn used_lies_inside_booked(
            start in 0i64..600,
            len in 1i64..600,
            status in any_status(),
            check_in in proptest::option::of(-20i64..700),
            ended in proptest::option::of(-100i64..1300),
            now in 0i64..1400,
        ) {
            let u = Use {
                resource_id: 1,
                slot: slot(t(0, start), t(0, start + len)),
                status,
                checked_in_at: check_in.map(|c| t(0, start + c)),
                ended_at: ended.map(|e| t(0, e)),
            };
            if let Some(used) = u.used(t(0, now)) {
                let held = u.held().expect("used implies held");
                prop_assert!(held.contains(&used));
            }
            if let Some(held) = u.held() {
                prop_assert!(u.slot.contains(&held));
            }
        }
    }
}
