//! The rota rules an admin's edit or a colleague's take would break, found
//! by the domain's checker, and said in the reader's words: people by
//! name, shifts by label and site-local date and time, never by id.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::rota_inputs::problem;
use crate::db::DbConn;
use crate::domain::rota::{Breach, RotaSolution, violations};
use crate::errors::ApiError;
use crate::store::bookings as booking_store;
use crate::store::rota::Shift;
use crate::store::sites::Site;
use crate::words::Words;

/// The rules `people` would break on `shift`, given everyone else where
/// they are (`placed`, shifts of `around`): unavailability, overlapping
/// shifts, weekly limits, and on the shift itself a missing senior or a
/// new person without an experienced colleague.
pub(crate) fn breaches(
    conn: &mut DbConn,
    site: &Site,
    around: &[Shift],
    placed: &BTreeMap<i64, Vec<i64>>,
    shift: &Shift,
    people: &[i64],
) -> Result<Vec<Breach>, ApiError> {
    // Everything else counts as fixed (not re-judged); this shift is judged.
    let mut fixed = placed.clone();
    fixed.insert(shift.id, Vec::new());
    let problem = problem(conn, site, around, &fixed)?;
    let solution = RotaSolution {
        assignments: placed.clone(),
        unfilled: Vec::new(),
    };
    Ok(violations(&problem, &solution)
        .into_iter()
        .filter(|b| match b {
            // About the shift as a whole: whoever comes or goes causes it.
            Breach::NoSenior { shift: s } | Breach::NewPersonAlone { shift: s, .. } => *s == shift.id,
            Breach::Unavailable { person, .. }
            | Breach::OverlappingShifts { person, .. }
            | Breach::WeeklyLimit { person, .. } => people.contains(person),
            _ => false,
        })
        .collect())
}

/// Each breach as a sentence for the reader of `w`: "刘洋刚来不久，在首问接待
/// 2026-12-08 周二 08:30–15:30 身边没有有经验的同事……".
pub(crate) fn in_words(
    conn: &mut DbConn,
    site: &Site,
    around: &[Shift],
    breaches: &[Breach],
    w: Words,
) -> Result<Vec<String>, ApiError> {
    let ids: Vec<i64> = breaches.iter().filter_map(Breach::person).collect();
    let names: BTreeMap<i64, String> = booking_store::user_names(conn, &ids)?.into_iter().collect();
    let tz = site.tz();
    let name = |id: &i64| {
        names
            .get(id)
            .cloned()
            .unwrap_or_else(|| w.pick("一位同事", "a colleague"))
    };
    let shift = |id: &i64| match around.iter().find(|s| s.id == *id) {
        Some(s) => format!(
            "{} {}",
            s.label,
            w.range(tz, s.starts_at.and_utc(), s.ends_at.and_utc())
        ),
        None => w.pick("另一个班", "another shift"),
    };
    Ok(breaches
        .iter()
        .map(|b| match b {
            Breach::Unavailable { shift: s, person } => w.pick(
                format!("{}在{}不能值班（请假、培训或另有安排）", name(person), shift(s)),
                format!(
                    "{} is away during {} (leave, training or another commitment)",
                    name(person),
                    shift(s)
                ),
            ),
            Breach::OverlappingShifts {
                person,
                shift: a,
                other,
            } => w.pick(
                format!(
                    "{}同一时间排了两个班：{}和{}",
                    name(person),
                    shift(a),
                    shift(other)
                ),
                format!(
                    "{} would be on two shifts at once: {} and {}",
                    name(person),
                    shift(a),
                    shift(other)
                ),
            ),
            Breach::WeeklyLimit {
                person,
                week,
                count,
                limit,
            } => w.pick(
                format!(
                    "{}在{}那一周有{count}个班，超过每周{limit}个的上限",
                    name(person),
                    week_of(w, *week)
                ),
                format!(
                    "{} would have {count} shifts in the week of {}, above their limit of {limit}",
                    name(person),
                    week_of(w, *week)
                ),
            ),
            Breach::NoSenior { shift: s } => w.pick(
                format!(
                    "{}没有老同志带班（以老带新：两人以上的班要有一位老同志）",
                    shift(s)
                ),
                format!(
                    "{} has no senior colleague (a shift of two or more needs one)",
                    shift(s)
                ),
            ),
            Breach::NewPersonAlone { shift: s, person } => w.pick(
                format!(
                    "{}刚来不久，在{}身边没有有经验的同事（以老带新：新同事不单独值班）",
                    name(person),
                    shift(s)
                ),
                format!(
                    "{} is new at this site and would have no experienced colleague on {} \
                     (new colleagues never sit at the desk alone)",
                    name(person),
                    shift(s)
                ),
            ),
            // The checker's other findings are about a rota's form, which
            // an edit or a take cannot get wrong; said plainly all the same.
            other => match other.shift() {
                Some(s) => w.pick(
                    format!("{}不符合排班规则", shift(&s)),
                    format!("{} breaks a rule of the rota", shift(&s)),
                ),
                None => w.pick("这样排班不符合排班规则", "This breaks a rule of the rota"),
            },
        })
        .collect())
}

/// The Monday a weekly limit counts from: "2026-12-07 周一", "Mon 7 Dec 2026".
fn week_of(w: Words, monday: NaiveDate) -> String {
    w.pick(
        format!("{} {}", monday.format("%Y-%m-%d"), w.weekday(monday)),
        format!("{} {}", w.weekday(monday), monday.format("%-d %b %Y")),
    )
}
