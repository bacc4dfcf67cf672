//! What the secretary's 排班 console reads in one go: the weekly templates,
//! the staff with their senior mark and weekly limit, a period's draft with
//! every rule it breaks in words, what publishing it would change, and the
//! swaps offered and not yet taken. The changes themselves go through
//! `workflows::rota` and `workflows::rota_inputs`, as the API's do.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::rota_breaches::in_words;
use super::rota_inputs::problem;
use crate::db::DbConn;
use crate::domain::rota::{Breach, RotaSolution, violations};
use crate::errors::ApiError;
use crate::store::access::SiteAccess;
use crate::store::bookings as booking_store;
use crate::store::rota::{self, Shift, Template};
use crate::store::{calendar, users};
use crate::words::Words;

/// A staff member the rota can put on a shift.
pub struct StaffChoice {
    pub id: i64,
    pub name: String,
    /// Experienced: 以老带新 pairs new people with her.
    pub senior: bool,
    pub max_shifts_per_week: Option<i32>,
}

/// How publishing would change one shift.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Never published: it appears on the rota.
    Appears,
    /// Published with other people: it changes hands.
    ChangesHands,
    /// Published on a day the calendar no longer works: it goes.
    Disappears,
}

/// One shift publishing would change, by name and local time.
pub struct Change {
    pub kind: ChangeKind,
    /// "首问接待 12月7日 周一 08:30–15:30".
    pub shift: String,
    pub before: Vec<String>,
    pub after: Vec<String>,
}

/// A swap offered and not yet taken.
pub struct PendingSwap {
    pub offered_by: String,
    pub shift: String,
}

/// A period's draft as the console shows it.
pub struct DraftReview {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The shifts on working days, in time order.
    pub shifts: Vec<Shift>,
    /// Every person named by a shift's draft or published people.
    pub names: BTreeMap<i64, String>,
    /// The rules the draft breaks and the positions left open, in words.
    pub warnings: Vec<String>,
    /// What publishing the period would change.
    pub changes: Vec<Change>,
}

/// Everything the 排班 page shows.
pub struct RotaDesk {
    /// The site's zone: shifts are shown in its wall time.
    pub tz: chrono_tz::Tz,
    /// The site's date today.
    pub today: NaiveDate,
    pub templates: Vec<Template>,
    pub staff: Vec<StaffChoice>,
    pub pending_swaps: Vec<PendingSwap>,
    pub draft: Option<DraftReview>,
}

/// The 排班 page's reading (site admin): templates, staff, the swaps on
/// offer and, for `period`, the draft with its warnings and the changes a
/// publication would make.
pub fn desk(
    conn: &mut DbConn,
    access: &SiteAccess,
    period: Option<(NaiveDate, NaiveDate)>,
    now: DateTime<Utc>,
) -> Result<RotaDesk, ApiError> {
    access.require_admin()?;
    let site = &access.site;
    let w = Words::new(access.caller.language());
    let templates = rota::templates(conn, site.id)?;
    let members = users::members_of_site(conn, site.id, 0, 10_000)?;
    let staff: Vec<StaffChoice> = members
        .iter()
        .filter(|(_, m)| m.is_staff)
        .map(|(u, m)| StaffChoice {
            id: u.id,
            name: u.name.clone(),
            senior: m.senior,
            max_shifts_per_week: m.max_shifts_per_week,
        })
        .collect();
    let mut pending_swaps = Vec::new();
    for (swap, shift) in rota::swaps_of_site(conn, site.id, 500)? {
        if swap.taken_at.is_some() || shift.starts_at < now.naive_utc() {
            continue;
        }
        let name = booking_store::user_names(conn, &[swap.from_user])?
            .into_iter()
            .next()
            .map(|(_, n)| n)
            .unwrap_or_default();
        pending_swaps.push(PendingSwap {
            offered_by: name,
            shift: shift_words(access, w, &shift),
        });
    }
    let draft = match period {
        Some((from, to)) => Some(review(conn, access, from, to, w)?),
        None => None,
    };
    Ok(RotaDesk {
        tz: site.tz(),
        today: crate::domain::local_time::local_date(site.tz(), now),
        templates,
        staff,
        pending_swaps,
        draft,
    })
}

fn shift_words(access: &SiteAccess, w: Words, s: &Shift) -> String {
    format!(
        "{} {}",
        s.label,
        w.range(access.site.tz(), s.starts_at.and_utc(), s.ends_at.and_utc())
    )
}

fn review(
    conn: &mut DbConn,
    access: &SiteAccess,
    from: NaiveDate,
    to: NaiveDate,
    w: Words,
) -> Result<DraftReview, ApiError> {
    let site = &access.site;
    let cal = calendar::load(conn, site.id)?;
    let (shifts, off): (Vec<Shift>, Vec<Shift>) = rota::shifts_between(conn, site.id, from, to)?
        .into_iter()
        .partition(|s| cal.is_working_day(s.date));
    let mut ids: BTreeSet<i64> = BTreeSet::new();
    for s in shifts.iter().chain(&off) {
        ids.extend(s.draft());
        ids.extend(s.published().unwrap_or_default());
    }
    let ids: Vec<i64> = ids.into_iter().collect();
    let names: BTreeMap<i64, String> = booking_store::user_names(conn, &ids)?.into_iter().collect();
    let named = |people: &[i64]| -> Vec<String> {
        people
            .iter()
            .map(|id| names.get(id).cloned().unwrap_or_default())
            .collect()
    };

    // The whole draft judged as it stands: nothing counts as fixed.
    let placed: BTreeMap<i64, Vec<i64>> = shifts
        .iter()
        .map(|s| {
            let mut d = s.draft();
            d.sort_unstable();
            (s.id, d)
        })
        .collect();
    let problem = problem(conn, site, &shifts, &BTreeMap::new())?;
    let solution = RotaSolution {
        assignments: placed,
        unfilled: Vec::new(),
    };
    let broken: Vec<Breach> = violations(&problem, &solution)
        .into_iter()
        .filter(|b| {
            matches!(
                b,
                Breach::Unavailable { .. }
                    | Breach::OverlappingShifts { .. }
                    | Breach::WeeklyLimit { .. }
                    | Breach::NoSenior { .. }
                    | Breach::NewPersonAlone { .. }
            )
        })
        .collect();
    let mut warnings: Vec<String> = Vec::new();
    for text in in_words(conn, site, &shifts, &broken, w)? {
        if !warnings.contains(&text) {
            warnings.push(text);
        }
    }
    for s in &shifts {
        let missing = s.positions.max(0) as usize - s.draft().len().min(s.positions.max(0) as usize);
        if missing > 0 {
            warnings.push(w.pick(
                format!("{}还空着{missing}个位置，没有人能排上", shift_words(access, w, s)),
                format!(
                    "{} still has {missing} open position(s): nobody could be put on it",
                    shift_words(access, w, s)
                ),
            ));
        }
    }

    let mut changes = Vec::new();
    for s in &shifts {
        let after = s.draft();
        match s.published() {
            None => changes.push(Change {
                kind: ChangeKind::Appears,
                shift: shift_words(access, w, s),
                before: Vec::new(),
                after: named(&after),
            }),
            Some(before) if before != after => changes.push(Change {
                kind: ChangeKind::ChangesHands,
                shift: shift_words(access, w, s),
                before: named(&before),
                after: named(&after),
            }),
            Some(_) => {}
        }
    }
    for s in off.iter().filter(|s| s.published_version.is_some()) {
        changes.push(Change {
            kind: ChangeKind::Disappears,
            shift: shift_words(access, w, s),
            before: named(&s.published().unwrap_or_default()),
            after: Vec::new(),
        });
    }
    Ok(DraftReview {
        from,
        to,
        shifts,
        names,
        warnings,
        changes,
    })
}
