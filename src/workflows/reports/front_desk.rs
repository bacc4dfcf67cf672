//! Report 3, the front desk: desk hours per staff member over a period of
//! the published rota (after swaps taken) against the fair share, swaps
//! offered, given and taken, and the posts nobody sat.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::db::DbConn;
use crate::domain::period::DatePeriod;
use crate::domain::report::front_desk::{self, DeskFigures, DeskShift, SwapRecord};
use crate::domain::report::{Cell, Column, Table, Unit};
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::{report_people, rota};

/// One person's desk figures.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DeskPerson {
    pub user_id: i64,
    pub name: String,
    /// Hours sat at the desk in the period.
    pub desk_hours: f64,
    /// Shifts sat.
    pub shifts: i64,
    /// Desk hours minus the fair share (negative: sat less than a share).
    pub difference_hours: f64,
    /// Offers of their shifts, taken or not.
    pub offers_made: i64,
    /// Their shifts a colleague took.
    pub swaps_given: i64,
    /// Colleagues' shifts they took.
    pub swaps_taken: i64,
}

/// A published shift nobody sat.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UncoveredPost {
    pub date: NaiveDate,
    pub shift_id: i64,
    pub label: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub positions: i64,
}

/// The front desk over a period.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FrontDeskReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Desk hours of everyone together.
    pub total_hours: f64,
    /// The total shared evenly by everyone who could sit (the site's
    /// staff, and anyone who sat though no longer staff).
    pub fair_share_hours: f64,
    /// Most desk hours minus fewest.
    pub spread_hours: f64,
    /// Positions of published shifts left open (uncovered shifts' too).
    pub open_positions: i64,
    /// Everyone who could sit, by name.
    pub people: Vec<DeskPerson>,
    /// Published shifts nobody sat, by date.
    pub uncovered: Vec<UncoveredPost>,
}

/// The site's front desk over `period` (site-local dates): its admin,
/// operators and district observers.
pub fn report(
    conn: &mut DbConn,
    access: &SiteAccess,
    period: DatePeriod,
    _now: DateTime<Utc>,
) -> Result<FrontDeskReport, ApiError> {
    access.may_read_reports()?;
    let (from, to) = (period.first(), period.last());
    let site_id = access.site.id;
    let shifts = rota::published_between(conn, site_id, from, to)?;
    let desk: Vec<DeskShift> = shifts
        .iter()
        .map(|s| DeskShift {
            date: s.date,
            minutes: (s.ends_at - s.starts_at).num_minutes(),
            positions: i64::from(s.positions),
            people: s.published().unwrap_or_default(),
        })
        .collect();
    let swaps: Vec<SwapRecord> = report_people::swaps_between(conn, site_id, from, to)?
        .into_iter()
        .map(|(from, to)| SwapRecord { from, to })
        .collect();
    let staff = report_people::staff(conn, site_id)?;
    let ids: Vec<i64> = staff.iter().map(|(id, _)| *id).collect();
    let figures = front_desk::figures(&ids, &desk, &swaps);
    let mut names: BTreeMap<i64, String> = staff.into_iter().collect();
    let unknown: Vec<i64> = figures
        .people
        .iter()
        .map(|p| p.user_id)
        .filter(|id| !names.contains_key(id))
        .collect();
    if !unknown.is_empty() {
        names.extend(crate::store::bookings::user_names(conn, &unknown)?);
    }
    Ok(assemble(from, to, &figures, &names, &shifts))
}

fn assemble(
    from: NaiveDate,
    to: NaiveDate,
    figures: &DeskFigures,
    names: &BTreeMap<i64, String>,
    shifts: &[rota::Shift],
) -> FrontDeskReport {
    let share = figures.fair_share_hours();
    let mut people: Vec<DeskPerson> = figures
        .people
        .iter()
        .map(|p| DeskPerson {
            user_id: p.user_id,
            name: names.get(&p.user_id).cloned().unwrap_or_default(),
            desk_hours: p.hours(),
            shifts: p.shifts,
            difference_hours: p.hours() - share,
            offers_made: p.offers_made,
            swaps_given: p.swaps_given,
            swaps_taken: p.swaps_taken,
        })
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id)));
    FrontDeskReport {
        from,
        to,
        total_hours: figures.total_hours(),
        fair_share_hours: share,
        spread_hours: figures.spread_hours(),
        open_positions: figures.open_positions,
        people,
        uncovered: figures
            .uncovered
            .iter()
            .map(|i| {
                let s = &shifts[*i];
                UncoveredPost {
                    date: s.date,
                    shift_id: s.id,
                    label: s.label.clone(),
                    starts_at: s.starts_at.and_utc(),
                    ends_at: s.ends_at.and_utc(),
                    positions: i64::from(s.positions),
                }
            })
            .collect(),
    }
}

impl FrontDeskReport {
    /// One row per person: person, desk_hours, fair_share_hours,
    /// difference_hours, swaps_given, swaps_taken; the totals row sums
    /// them (the differences sum to nothing).
    pub fn table(&self) -> Table {
        let col = |key, unit| Column { key, unit };
        let hours = |h: f64| Cell::Number(Some(h));
        let count = |n: i64| Cell::Number(Some(n as f64));
        let rows = self
            .people
            .iter()
            .map(|p| {
                vec![
                    Cell::Text(p.name.clone()),
                    hours(p.desk_hours),
                    hours(self.fair_share_hours),
                    hours(p.difference_hours),
                    count(p.swaps_given),
                    count(p.swaps_taken),
                ]
            })
            .collect();
        let sum = |f: fn(&DeskPerson) -> i64| self.people.iter().map(f).sum::<i64>();
        let shares = self.fair_share_hours * self.people.len() as f64;
        let differences: f64 = self.people.iter().map(|p| p.difference_hours).sum();
        Table {
            key: "front_desk",
            columns: vec![
                col("person", Unit::Text),
                col("desk_hours", Unit::Hours),
                col("fair_share_hours", Unit::Hours),
                col("difference_hours", Unit::Hours),
                col("swaps_given", Unit::Count),
                col("swaps_taken", Unit::Count),
            ],
            rows,
            totals: Some(vec![
                Cell::Text(crate::domain::report::TOTAL.into()),
                hours(self.total_hours),
                hours(shares),
                // Rounded away from -0.00: the differences cancel out.
                hours(if differences.abs() < 0.005 {
                    0.0
                } else {
                    differences
                }),
                count(sum(|p| p.swaps_given)),
                count(sum(|p| p.swaps_taken)),
            ]),
            chart: 1,
        }
    }
}
