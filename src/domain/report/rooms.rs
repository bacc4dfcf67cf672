//! Room utilisation (report 1 of the quarterly check): per room and
//! site-local week, the hours booked against the hours the room was open.
//!
//! Open hours follow what a booking may use: the room's weekly opening
//! hours (none set: open all day), less the site's holidays (the committee
//! is closed) and the room's blackouts (the booking rule's "closed then").
//! A make-up working day (调休) is open by its own weekday's hours: opening
//! hours are kept per weekday and do not say which weekday a make-up day
//! stands in for. Booked hours are the held bookings' time inside the
//! week, so a booking across the period's edge counts only its inside part.
//! Booked hours are not cut to open hours: a room booked on a holiday shows
//! a share above 100 %, which is what happened.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::Serialize;

use super::{Cell, Column, Table, Unit};
use crate::domain::calendar::SiteCalendar;
use crate::domain::interval::{Interval, subtract};
use crate::domain::local_time::{day_of, week_start};
use crate::domain::period::DatePeriod;
use crate::domain::resource::OpeningHours;

/// A room as the report needs it.
#[derive(Clone, Debug)]
pub struct Room {
    pub id: i64,
    pub name: String,
    /// Weekly opening hours; `None` is open all day.
    pub opening: Option<OpeningHours>,
    /// Its blackouts (closed for maintenance and the like).
    pub closed: Vec<Interval>,
}

/// A booking that held a room (confirmed): where, for whom, when.
#[derive(Clone, Debug)]
pub struct Held {
    pub resource_id: i64,
    pub group_id: Option<i64>,
    pub slot: Interval,
}

/// The dates of one week of the period: Monday's date names it; the first
/// and last weeks may be cut by the period's ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Week {
    /// The Monday of the week.
    pub week: NaiveDate,
    /// The first date of the week inside the period.
    pub first: NaiveDate,
    /// The last date of the week inside the period.
    pub last: NaiveDate,
}

impl Week {
    /// Its instants, local midnight to local midnight.
    pub fn instants(&self, tz: Tz) -> Interval {
        Interval::of(day_of(tz, self.first).start, day_of(tz, self.last).end)
    }
}

/// The weeks (Monday first) the period touches, each cut to the period.
pub fn weeks(period: DatePeriod) -> Vec<Week> {
    let mut out = Vec::new();
    let mut monday = week_start(period.first());
    while monday <= period.last() {
        let sunday = monday + Duration::days(6);
        out.push(Week {
            week: monday,
            first: monday.max(period.first()),
            last: sunday.min(period.last()),
        });
        monday += Duration::days(7);
    }
    out
}

/// Hours of a duration, as a fraction.
pub fn hours(d: Duration) -> f64 {
    d.num_seconds() as f64 / 3600.0
}

/// The open intervals of `room` on the dates `first` to `last`.
pub fn open_intervals(
    tz: Tz,
    room: &Room,
    cal: &SiteCalendar,
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<Interval> {
    let mut open = Vec::new();
    let mut date = first;
    while date <= last {
        if !cal.is_holiday(date) {
            let day = day_of(tz, date);
            match &room.opening {
                Some(hours) => open.extend(hours.open_within(tz, day)),
                None => open.push(day),
            }
        }
        date += Duration::days(1);
    }
    subtract(&open, &room.closed)
}

/// Hours of `slots` inside `window` (each clipped to it).
pub fn hours_within<'a>(slots: impl IntoIterator<Item = &'a Interval>, window: Interval) -> f64 {
    slots
        .into_iter()
        .filter_map(|s| s.intersect(&window))
        .map(|s| hours(s.duration()))
        .fold(0.0, |a, b| a + b)
}

/// Booked as a share of open, in percent; none when the room was never open.
pub fn share(booked: f64, open: f64) -> Option<f64> {
    (open > 0.0).then(|| booked / open * 100.0)
}

/// One room in one week.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RoomWeek {
    #[serde(flatten)]
    pub week: Week,
    pub booked_hours: f64,
    pub open_hours: f64,
    /// `booked_hours / open_hours` in percent; null when it was not open.
    pub use_percent: Option<f64>,
}

/// One room over the period.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RoomUse {
    pub resource_id: i64,
    pub name: String,
    pub booked_hours: f64,
    pub open_hours: f64,
    pub use_percent: Option<f64>,
    pub weeks: Vec<RoomWeek>,
}

/// The hours an interest group held one room over the period.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GroupUse {
    pub group_id: i64,
    pub group: String,
    pub resource_id: i64,
    pub room: String,
    pub booked_hours: f64,
}

/// A room no booking held in the period.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EmptyRoom {
    pub resource_id: i64,
    pub name: String,
}

/// Report 1, room utilisation, for one site and period.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RoomsReport {
    /// First local date of the period.
    pub from: NaiveDate,
    /// Last local date, included.
    pub to: NaiveDate,
    /// Each room (in name order) with its weeks.
    pub rooms: Vec<RoomUse>,
    /// Hours per interest group and room (bookings made for a group).
    pub groups: Vec<GroupUse>,
    /// The rooms with no booked hour in the period.
    pub empty_rooms: Vec<EmptyRoom>,
    /// The sums over every room and week.
    pub booked_hours: f64,
    pub open_hours: f64,
    pub use_percent: Option<f64>,
}

/// The figures of the period from the rooms, the held bookings meeting it
/// and the names of the groups they were for.
pub fn build(
    tz: Tz,
    period: DatePeriod,
    cal: &SiteCalendar,
    rooms: &[Room],
    held: &[Held],
    group_names: &BTreeMap<i64, String>,
) -> RoomsReport {
    let weeks = weeks(period);
    let whole = period.instants(tz);
    let mut uses = Vec::new();
    let mut groups = Vec::new();
    let mut empty = Vec::new();
    for room in rooms {
        let mine: Vec<&Held> = held.iter().filter(|h| h.resource_id == room.id).collect();
        let room_weeks: Vec<RoomWeek> = weeks
            .iter()
            .map(|w| {
                let window = w.instants(tz);
                let booked = hours_within(mine.iter().map(|h| &h.slot), window);
                let open = hours_within(&open_intervals(tz, room, cal, w.first, w.last), window);
                RoomWeek {
                    week: *w,
                    booked_hours: booked,
                    open_hours: open,
                    use_percent: share(booked, open),
                }
            })
            .collect();
        let booked: f64 = room_weeks.iter().map(|w| w.booked_hours).fold(0.0, |a, b| a + b);
        let open: f64 = room_weeks.iter().map(|w| w.open_hours).fold(0.0, |a, b| a + b);
        if booked == 0.0 {
            empty.push(EmptyRoom {
                resource_id: room.id,
                name: room.name.clone(),
            });
        }
        let mut by_group: BTreeMap<i64, f64> = BTreeMap::new();
        for h in &mine {
            if let (Some(g), Some(inside)) = (h.group_id, h.slot.intersect(&whole)) {
                *by_group.entry(g).or_default() += hours(inside.duration());
            }
        }
        for (group_id, booked_hours) in by_group {
            groups.push(GroupUse {
                group_id,
                group: group_names.get(&group_id).cloned().unwrap_or_default(),
                resource_id: room.id,
                room: room.name.clone(),
                booked_hours,
            });
        }
        uses.push(RoomUse {
            resource_id: room.id,
            name: room.name.clone(),
            booked_hours: booked,
            open_hours: open,
            use_percent: share(booked, open),
            weeks: room_weeks,
        });
    }
    let booked: f64 = uses.iter().map(|r| r.booked_hours).fold(0.0, |a, b| a + b);
    let open: f64 = uses.iter().map(|r| r.open_hours).fold(0.0, |a, b| a + b);
    RoomsReport {
        from: period.first(),
        to: period.last(),
        rooms: uses,
        groups,
        empty_rooms: empty,
        booked_hours: booked,
        open_hours: open,
        use_percent: share(booked, open),
    }
}

impl RoomsReport {
    /// One row per room and week; the chart draws `use_percent`, the share
    /// of open time used, because rooms open for different hours are only
    /// comparable by their share (a hall open 40 hours and a kitchen open 8
    /// are both "full" at 100 %).
    pub fn table(&self) -> Table {
        let col = |key, unit| Column { key, unit };
        let number = |n: f64| Cell::Number(Some(n));
        let rows = self
            .rooms
            .iter()
            .flat_map(|r| {
                r.weeks.iter().map(|w| {
                    vec![
                        Cell::Text(r.name.clone()),
                        Cell::Text(w.week.week.format("%Y-%m-%d").to_string()),
                        number(w.booked_hours),
                        number(w.open_hours),
                        Cell::Number(w.use_percent),
                    ]
                })
            })
            .collect();
        Table {
            key: "rooms",
            columns: vec![
                col("room", Unit::Text),
                col("week", Unit::Text),
                col("booked_hours", Unit::Hours),
                col("open_hours", Unit::Hours),
                col("use_percent", Unit::Percent),
            ],
            rows,
            totals: Some(vec![
                Cell::Text(super::TOTAL.to_owned()),
                Cell::Text(String::new()),
                number(self.booked_hours),
                number(self.open_hours),
                Cell::Number(self.use_percent),
            ]),
            chart: 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};
    use proptest::prelude::*;

    const TZ: Tz = chrono_tz::Asia::Shanghai;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn at(date: NaiveDate, h: u32, min: u32) -> DateTime<Utc> {
        TZ.from_local_datetime(&date.and_hms_opt(h, min, 0).unwrap())
            .unwrap()
            .with_timezone(&Utc)
    }

    fn weekdays_9_to_12() -> OpeningHours {
        let mut map = BTreeMap::new();
        for day in ["mon", "tue", "wed", "thu", "fri"] {
            map.insert(day.to_owned(), vec!["09:00-12:00".to_owned()]);
        }
        OpeningHours::parse(&map).unwrap()
    }

    #[test]
    fn weeks_start_on_monday_and_are_cut_to_the_period() {
        // 2026-03-04 is a Wednesday; 2026-03-17 a Tuesday.
        let p = DatePeriod::new(d(2026, 3, 4), d(2026, 3, 17)).unwrap();
        let w = weeks(p);
        assert_eq!(w.len(), 3);
        assert_eq!(
            (w[0].week, w[0].first, w[0].last),
            (d(2026, 3, 2), d(2026, 3, 4), d(2026, 3, 8))
        );
        assert_eq!(
            (w[2].week, w[2].first, w[2].last),
            (d(2026, 3, 16), d(2026, 3, 16), d(2026, 3, 17))
        );
    }

    #[test]
    fn a_holiday_and_a_blackout_close_the_room_and_a_weekend_has_no_hours() {
        let room = Room {
            id: 1,
            name: "Hall".into(),
            opening: Some(weekdays_9_to_12()),
            // Tuesday 10:00-11:00 closed for repairs.
            closed: vec![Interval::of(at(d(2026, 3, 3), 10, 0), at(d(2026, 3, 3), 11, 0))],
        };
        let cal = SiteCalendar {
            holidays: [d(2026, 3, 4)].into(),
            workdays: [d(2026, 3, 7)].into(),
        };
        // Mon 3 + Tue 2 + Wed holiday 0 + Thu 3 + Fri 3 + Sat (make-up day,
        // but no Saturday hours) 0 + Sun 0 = 11.
        let open = open_intervals(TZ, &room, &cal, d(2026, 3, 2), d(2026, 3, 8));
        let window = DatePeriod::new(d(2026, 3, 2), d(2026, 3, 8))
            .unwrap()
            .instants(TZ);
        assert_eq!(hours_within(&open, window), 11.0);
    }

    #[test]
    fn a_booking_across_the_edge_counts_its_inside_part_and_groups_add_up() {
        let p = DatePeriod::new(d(2026, 3, 2), d(2026, 3, 8)).unwrap();
        let rooms = [
            Room {
                id: 1,
                name: "Hall".into(),
                opening: Some(weekdays_9_to_12()),
                closed: vec![],
            },
            Room {
                id: 2,
                name: "Kitchen".into(),
                opening: None,
                closed: vec![],
            },
        ];
        let held = [
            // Monday 9:00-11:00 for group 7: 2 h.
            Held {
                resource_id: 1,
                group_id: Some(7),
                slot: Interval::of(at(d(2026, 3, 2), 9, 0), at(d(2026, 3, 2), 11, 0)),
            },
            // Sunday 23:00 to the next Monday 01:00: 1 h inside.
            Held {
                resource_id: 1,
                group_id: None,
                slot: Interval::of(at(d(2026, 3, 8), 23, 0), at(d(2026, 3, 9), 1, 0)),
            },
        ];
        let names = BTreeMap::from([(7, "Calligraphy".to_owned())]);
        let r = build(TZ, p, &SiteCalendar::default(), &rooms, &held, &names);
        // Hall: 15 open hours (5 x 3), 3 booked, 20 %.
        assert_eq!(r.rooms[0].open_hours, 15.0);
        assert_eq!(r.rooms[0].booked_hours, 3.0);
        assert_eq!(r.rooms[0].use_percent, Some(20.0));
        // Kitchen: open all week, 7 x 24 = 168 hours, never booked.
        assert_eq!(r.rooms[1].open_hours, 168.0);
        assert_eq!(
            r.empty_rooms,
            vec![EmptyRoom {
                resource_id: 2,
                name: "Kitchen".into()
            }]
        );
        assert_eq!(r.groups.len(), 1);
        assert_eq!(
            (r.groups[0].group.as_str(), r.groups[0].booked_hours),
            ("Calligraphy", 2.0)
        );
        assert_eq!((r.booked_hours, r.open_hours), (3.0, 183.0));
        let t = r.table();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            t.csv(),
            "room,week,booked_hours,open_hours,use_percent\r\n\
             Hall,2026-03-02,3.00,15.00,20.0\r\n\
             Kitchen,2026-03-02,0.00,168.00,0.0\r\n\
             合计,,3.00,183.00,1.6\r\n"
        );
    }

    #[test]
    fn a_room_never_open_has_no_share() {
        assert_eq!(share(2.0, 0.0), None);
        assert_eq!(share(0.0, 4.0), Some(0.0));
    }

    proptest! {
        /// Clipping never counts time outside the period: the weeks' booked
        /// hours add up to the bookings' hours inside the period, which is
        /// never more than the bookings' own hours.
        #[test]
        fn weeks_add_up_to_the_time_inside_the_period(
            first in 0i64..60,
            len in 0i64..40,
            slots in proptest::collection::vec((0i64..100 * 24 * 4, 1i64..48), 0..12),
        ) {
            let base = d(2026, 1, 1);
            let p = DatePeriod::new(base + Duration::days(first), base + Duration::days(first + len)).unwrap();
            let origin = at(base, 0, 0);
            let held: Vec<Held> = slots
                .iter()
                .map(|(q, n)| {
                    let start = origin + Duration::minutes(15 * q);
                    Held { resource_id: 1, group_id: Some(1), slot: Interval::of(start, start + Duration::minutes(15 * n)) }
                })
                .collect();
            let room = Room { id: 1, name: "R".into(), opening: None, closed: vec![] };
            let r = build(TZ, p, &SiteCalendar::default(), &[room], &held, &BTreeMap::new());
            let inside = hours_within(held.iter().map(|h| &h.slot), p.instants(TZ));
            let own: f64 = held.iter().map(|h| hours(h.slot.duration())).fold(0.0, |a, b| a + b);
            prop_assert!((r.booked_hours - inside).abs() < 1e-9);
            prop_assert!(r.booked_hours <= own + 1e-9);
            let by_group: f64 = r.groups.iter().map(|g| g.booked_hours).fold(0.0, |a, b| a + b);
            prop_assert!((by_group - inside).abs() < 1e-9);
            // Open all day with no overlap between bookings is not given, so
            // only the open hours' own bound is checked: every hour of the period.
            prop_assert!((r.open_hours - hours(p.instants(TZ).duration())).abs() < 1e-9);
        }
    }
}
