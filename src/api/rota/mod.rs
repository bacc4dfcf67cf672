//! `/api/v1/sites/{site}/rota`: the weekly shift templates ([`templates`]),
//! unavailability ([`unavailability`]), the generated draft, its edits and
//! publication ([`shifts`]), swaps ([`swaps`]), and what anyone may read:
//! the published rota, also as iCalendar, and a person's posted day
//! ([`public`]). Personal calendar feeds are in [`super::calendar_feed`].

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::api::views::utc;
use crate::db::DbConn;
use crate::domain::Invalid;
use crate::domain::period::DatePeriod;
use crate::errors::ApiError;
use crate::store;
use crate::store::rota::Shift;

mod public;
mod shifts;
mod swaps;
mod templates;
mod unavailability;

pub use public::*;
pub use shifts::*;
pub use swaps::*;
pub use templates::*;
pub use unavailability::*;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// First local date (default: today).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<crate::domain::window::Date>,
    /// Last local date (default: four weeks on).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<crate::domain::window::Date>,
}

impl DateRange {
    /// The dates asked for; by default from today, four weeks on.
    fn period(&self, today: NaiveDate) -> Result<DatePeriod, Invalid> {
        DatePeriod::query(self.from.map(|d| d.date()), self.to.map(|d| d.date()), today, 28)
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Person {
    pub id: i64,
    pub name: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ShiftView {
    pub id: i64,
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub label: String,
    pub positions: i32,
    /// The draft (what the next publication will freeze).
    pub assignees: Vec<Person>,
    /// As published (absent until the first publication).
    pub published: Option<Vec<Person>>,
    pub published_version: Option<i32>,
    /// Someone offered this shift for a swap.
    pub offered_by: Option<i64>,
}

fn shift_view(s: &Shift, names: &BTreeMap<i64, String>) -> ShiftView {
    let people = |ids: Vec<i64>| {
        ids.into_iter()
            .map(|id| Person {
                id,
                name: names.get(&id).cloned().unwrap_or_default(),
            })
            .collect()
    };
    ShiftView {
        id: s.id,
        date: s.date,
        starts_at: utc(s.starts_at),
        ends_at: utc(s.ends_at),
        label: s.label.clone(),
        positions: s.positions,
        assignees: people(s.draft()),
        published: s.published().map(people),
        published_version: s.published_version,
        offered_by: s.offered_by,
    }
}

fn names_for(conn: &mut DbConn, shifts: &[Shift]) -> Result<BTreeMap<i64, String>, ApiError> {
    let mut ids: Vec<i64> = shifts
        .iter()
        .flat_map(|s| s.draft().into_iter().chain(s.published().unwrap_or_default()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(store::bookings::user_names(conn, &ids)?.into_iter().collect())
}
