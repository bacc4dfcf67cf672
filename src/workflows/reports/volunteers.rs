//! Report 4, the volunteers: the volunteer-hours report (per person, per
//! duty; `workflows::duties::hours`, whose route keeps its contract) with
//! the figures per person and duty, the absences reported and who covered
//! them by coming without a sign-up.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::db::DbConn;
use crate::domain::period::DatePeriod;
use crate::domain::report::volunteers::{self, Absence, Mark};
use crate::domain::report::{Cell, Column, Table, Unit};
use crate::errors::ApiError;
use crate::store;
use crate::store::access::SiteAccess;
use crate::store::report_people;
use crate::workflows::duties::{DutyHours, VolunteerHours};

/// One volunteer's figures on one duty.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VolunteerDutyRow {
    pub volunteer_id: i64,
    pub volunteer: String,
    pub duty_id: i64,
    pub duty: String,
    /// Hours of the visits they came to.
    pub hours: f64,
    /// Dates they came.
    pub attended: i64,
    /// Dates marked as not come.
    pub no_shows: i64,
    /// Absences they reported ahead.
    pub absences: i64,
    /// Dates they came without a sign-up for that date (covering).
    pub covered_for: i64,
}

/// A reported absence and who came in the volunteer's stead.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AbsenceCover {
    pub date: NaiveDate,
    pub duty_id: i64,
    pub duty: String,
    pub volunteer_id: i64,
    pub volunteer: String,
    /// Volunteers who came that date without having signed up, by name.
    pub covered_by: Vec<String>,
}

/// The volunteers over a period.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VolunteersReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Hours of every visit together.
    pub total_hours: f64,
    /// Per volunteer (as the volunteer-hours report).
    pub volunteers: Vec<VolunteerHours>,
    /// Per duty (as the volunteer-hours report).
    pub duties: Vec<DutyHours>,
    /// Per volunteer and duty, by volunteer then duty name.
    pub rows: Vec<VolunteerDutyRow>,
    /// The absences reported, by date, with who covered.
    pub absences: Vec<AbsenceCover>,
}

/// The site's volunteers over `period`: its admin, operators and district
/// observers.
pub fn report(
    conn: &mut DbConn,
    access: &SiteAccess,
    period: DatePeriod,
    _now: DateTime<Utc>,
) -> Result<VolunteersReport, ApiError> {
    access.may_read_reports()?;
    let site_id = access.site.id;
    let (from, to) = (period.first(), period.last());
    let marks = store::duties::attendance_between(conn, site_id, from, to)?;
    let hours = crate::workflows::duties::hours_of(period, &marks);
    let absent = report_people::absences_between(conn, site_id, from, to)?;
    let mut duty_ids: Vec<i64> = marks
        .iter()
        .map(|m| m.0)
        .chain(absent.iter().map(|a| a.0))
        .collect();
    duty_ids.sort_unstable();
    duty_ids.dedup();
    let signups = store::duties::signups(conn, &duty_ids)?;
    let signed_up = |duty_id: i64, volunteer_id: i64, date: NaiveDate| {
        signups
            .iter()
            .any(|s| s.duty_id == duty_id && s.volunteer_id == volunteer_id && s.commitment().covers(date))
    };
    let mut people: BTreeMap<i64, String> = BTreeMap::new();
    let mut duties: BTreeMap<i64, String> = BTreeMap::new();
    let mut domain_marks = Vec::with_capacity(marks.len());
    for (duty_id, duty, volunteer_id, name, date, status, minutes) in marks {
        duties.insert(duty_id, duty);
        people.insert(volunteer_id, name);
        domain_marks.push(Mark {
            duty_id,
            volunteer_id,
            date,
            attended: status == "attended",
            minutes: i64::from(minutes),
            signed_up: signed_up(duty_id, volunteer_id, date),
        });
    }
    let mut domain_absences = Vec::with_capacity(absent.len());
    for (duty_id, duty, volunteer_id, name, date) in absent {
        duties.insert(duty_id, duty);
        people.insert(volunteer_id, name);
        domain_absences.push(Absence {
            duty_id,
            volunteer_id,
            date,
        });
    }
    let (rows, covers) = volunteers::figures(&domain_marks, &domain_absences);
    let name = |map: &BTreeMap<i64, String>, id: i64| map.get(&id).cloned().unwrap_or_default();
    let mut rows: Vec<VolunteerDutyRow> = rows
        .into_iter()
        .map(|r| VolunteerDutyRow {
            volunteer_id: r.volunteer_id,
            volunteer: name(&people, r.volunteer_id),
            duty_id: r.duty_id,
            duty: name(&duties, r.duty_id),
            hours: r.hours(),
            attended: r.attended,
            no_shows: r.no_shows,
            absences: r.absences,
            covered_for: r.covered_for,
        })
        .collect();
    rows.sort_by(|a, b| {
        (&a.volunteer, a.volunteer_id, &a.duty, a.duty_id).cmp(&(
            &b.volunteer,
            b.volunteer_id,
            &b.duty,
            b.duty_id,
        ))
    });
    let absences = covers
        .into_iter()
        .map(|c| AbsenceCover {
            date: c.absence.date,
            duty_id: c.absence.duty_id,
            duty: name(&duties, c.absence.duty_id),
            volunteer_id: c.absence.volunteer_id,
            volunteer: name(&people, c.absence.volunteer_id),
            covered_by: c.covered_by.iter().map(|id| name(&people, *id)).collect(),
        })
        .collect();
    Ok(VolunteersReport {
        from,
        to,
        total_hours: hours.total_hours,
        volunteers: hours.volunteers,
        duties: hours.duties,
        rows,
        absences,
    })
}

impl VolunteersReport {
    /// Absences reported in the period.
    pub fn absence_count(&self) -> i64 {
        self.rows.iter().map(|r| r.absences).sum()
    }

    /// Visits by volunteers who came without signing up.
    pub fn cover_count(&self) -> i64 {
        self.rows.iter().map(|r| r.covered_for).sum()
    }

    /// One row per volunteer and duty: volunteer, duty, hours, attended,
    /// absences, covered_for; the totals row sums them.
    pub fn table(&self) -> Table {
        let col = |key, unit| Column { key, unit };
        let count = |n: i64| Cell::Number(Some(n as f64));
        let rows = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.volunteer.clone()),
                    Cell::Text(r.duty.clone()),
                    Cell::Number(Some(r.hours)),
                    count(r.attended),
                    count(r.absences),
                    count(r.covered_for),
                ]
            })
            .collect();
        let sum = |f: fn(&VolunteerDutyRow) -> i64| self.rows.iter().map(f).sum::<i64>();
        Table {
            key: "volunteers",
            columns: vec![
                col("volunteer", Unit::Text),
                col("duty", Unit::Text),
                col("hours", Unit::Hours),
                col("attended", Unit::Count),
                col("absences", Unit::Count),
                col("covered_for", Unit::Count),
            ],
            rows,
            totals: Some(vec![
                Cell::Text(crate::domain::report::TOTAL.into()),
                Cell::Text(String::new()),
                Cell::Number(Some(self.total_hours)),
                count(sum(|r| r.attended)),
                count(sum(|r| r.absences)),
                count(sum(|r| r.covered_for)),
            ]),
            chart: 2,
        }
    }
}
