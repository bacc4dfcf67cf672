//! The form of one computer, desk or room: its name and group, opening
//! hours as a week grid (a from and a to per weekday, a second period
//! folded away, an empty day closed) and each booking rule as its own
//! control. Reading it checks with the domain's own rules
//! (`domain::resource`), so the console refuses what the API refuses, and
//! says so next to the field.

use std::collections::BTreeMap;

use maud::{Markup, html};
use serde::Deserialize;

use crate::domain::Invalid;
use crate::domain::local_time::{format_clock, parse_clock};
use crate::domain::resource::{self, OpeningHours, ResourceKind, Rules, RulesPatch};
use crate::pages::frame::{FieldErrors, described, error_summary, field};
use crate::pages::text::ResourcesText;
use crate::store::resources::{Resource, ResourceFields};

/// Each weekday's code (as the API names it) and its four fields: from,
/// to, and the second period's from and to.
const DAYS: [(&str, [&str; 4]); 7] = [
    ("mon", ["mon_from", "mon_to", "mon_from2", "mon_to2"]),
    ("tue", ["tue_from", "tue_to", "tue_from2", "tue_to2"]),
    ("wed", ["wed_from", "wed_to", "wed_from2", "wed_to2"]),
    ("thu", ["thu_from", "thu_to", "thu_from2", "thu_to2"]),
    ("fri", ["fri_from", "fri_to", "fri_from2", "fri_to2"]),
    ("sat", ["sat_from", "sat_to", "sat_from2", "sat_to2"]),
    ("sun", ["sun_from", "sun_to", "sun_from2", "sun_to2"]),
];

/// The form as sent. Every value is text, so that a wrong one comes back
/// as typed, next to its error.
#[derive(Deserialize, Default, Clone)]
pub struct ResourceForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub pool: String,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub features: String,
    /// `always` or `weekly`.
    #[serde(default)]
    pub hours: String,
    pub requires_approval: Option<String>,
    pub check_in_required: Option<String>,
    pub allow_preemption: Option<String>,
    #[serde(default)]
    pub slot_minutes: String,
    #[serde(default)]
    pub min_minutes: String,
    #[serde(default)]
    pub max_minutes: String,
    #[serde(default)]
    pub min_notice_minutes: String,
    #[serde(default)]
    pub max_advance_days: String,
    #[serde(default)]
    pub buffer_minutes: String,
    #[serde(default)]
    pub max_bookings_per_user_per_week: String,
    #[serde(default)]
    pub release_after_minutes: String,
    #[serde(default)]
    pub preemption_grace_minutes: String,
    /// The week grid (`mon_from`, `mon_to`, ...): the other fields.
    #[serde(flatten)]
    pub week: BTreeMap<String, String>,
}

fn tick(on: bool) -> Option<String> {
    on.then(|| "on".to_owned())
}

impl ResourceForm {
    /// A new resource of `kind`: its kind's default rules, always open
    /// until the week grid says otherwise.
    pub fn new_of(kind: ResourceKind) -> ResourceForm {
        let mut f = ResourceForm {
            kind: kind.code().to_owned(),
            ..ResourceForm::default()
        };
        f.set_rules(&Rules::defaults_for(kind));
        f.hours = "always".to_owned();
        f
    }

    /// The form showing `r` as it is.
    pub fn of(r: &Resource) -> ResourceForm {
        let mut f = ResourceForm {
            kind: r.kind().code().to_owned(),
            name: r.name.clone(),
            pool: r.pool.clone().unwrap_or_default(),
            capacity: r.capacity.map(|c| c.to_string()).unwrap_or_default(),
            features: r.features().join(", "),
            ..ResourceForm::default()
        };
        f.set_rules(&r.rules());
        match r.opening() {
            None => f.hours = "always".to_owned(),
            Some(hours) => {
                f.hours = "weekly".to_owned();
                for (i, (_, names)) in DAYS.iter().enumerate() {
                    let day = chrono::Weekday::try_from(i as u8).unwrap_or(chrono::Weekday::Mon);
                    for (n, (a, b)) in hours.ranges(day).iter().take(2).enumerate() {
                        f.week.insert(names[2 * n].to_owned(), format_clock(*a));
                        f.week.insert(names[2 * n + 1].to_owned(), format_clock(*b));
                    }
                }
            }
        }
        f
    }

    fn set_rules(&mut self, r: &Rules) {
        self.requires_approval = tick(r.requires_approval);
        self.check_in_required = tick(r.check_in_required);
        self.allow_preemption = tick(r.allow_preemption);
        self.slot_minutes = r.slot_minutes.to_string();
        self.min_minutes = r.min_minutes.to_string();
        self.max_minutes = r.max_minutes.to_string();
        self.min_notice_minutes = r.min_notice_minutes.to_string();
        self.max_advance_days = r.max_advance_days.to_string();
        self.buffer_minutes = r.buffer_minutes.to_string();
        self.max_bookings_per_user_per_week = r
            .max_bookings_per_user_per_week
            .map(|n| n.to_string())
            .unwrap_or_default();
        self.release_after_minutes = r.release_after_minutes.to_string();
        self.preemption_grace_minutes = r.preemption_grace_minutes.to_string();
    }

    /// The kind the form is for (a room if the hidden field was tampered with).
    pub fn kind(&self) -> ResourceKind {
        ResourceKind::from_code(&self.kind).unwrap_or(ResourceKind::Room)
    }

    fn cell(&self, name: &str) -> &str {
        self.week.get(name).map(|s| s.trim()).unwrap_or("")
    }

    /// The number fields: each field's name, its value, and the error of
    /// the domain's rule it breaks.
    fn numbers<'a>(&'a self, t: &ResourcesText) -> [(&'static str, &'a str, &'static str); 8] {
        [
            ("slot_minutes", &self.slot_minutes, t.err_slot),
            ("min_minutes", &self.min_minutes, t.err_min),
            ("max_minutes", &self.max_minutes, t.err_max),
            ("min_notice_minutes", &self.min_notice_minutes, t.err_notice),
            ("max_advance_days", &self.max_advance_days, t.err_advance),
            ("buffer_minutes", &self.buffer_minutes, t.err_buffer),
            (
                "release_after_minutes",
                &self.release_after_minutes,
                t.err_release,
            ),
            (
                "preemption_grace_minutes",
                &self.preemption_grace_minutes,
                t.err_grace,
            ),
        ]
    }

    /// The settings the form asks for, or what is wrong, field by field.
    pub fn parse(&self, t: &ResourcesText) -> Result<ResourceFields, FieldErrors> {
        let mut errors: FieldErrors = Vec::new();
        let bad = |errors: &mut FieldErrors, f: &'static str, m: &'static str| {
            if !errors.iter().any(|(n, _)| *n == f) {
                errors.push((f, m));
            }
        };
        let name = resource::resource_name(&self.name)
            .map_err(|_| bad(&mut errors, "name", t.err_name))
            .ok();
        let pool = match self.pool.trim() {
            "" => Some(None),
            p => resource::pool_name(p)
                .map(Some)
                .map_err(|_| bad(&mut errors, "pool", t.err_pool))
                .ok(),
        };
        let capacity = match self.capacity.trim() {
            "" => Some(None),
            c => c
                .parse::<i64>()
                .map_err(|_| Invalid::field("capacity", ""))
                .and_then(resource::capacity)
                .map(Some)
                .map_err(|_| bad(&mut errors, "capacity", t.err_capacity))
                .ok(),
        };
        let words: Vec<String> = self
            .features
            .split([',', '，', '、'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        let features = resource::features(&words)
            .map_err(|_| bad(&mut errors, "features", t.err_features))
            .ok();
        let opening = self.opening(t, &mut errors);
        let rules = self.rules(t, &mut errors);
        match (name, pool, capacity, features, opening, rules) {
            (Some(name), Some(pool), Some(capacity), Some(features), Some(opening), Some(rules))
                if errors.is_empty() =>
            {
                Ok(ResourceFields {
                    name,
                    kind: self.kind(),
                    pool,
                    capacity,
                    features,
                    opening_hours: opening,
                    rules,
                })
            }
            _ => Err(errors),
        }
    }

    /// The week grid: `Some(None)` always open, `Some(Some(hours))`.
    fn opening(&self, t: &ResourcesText, errors: &mut FieldErrors) -> Option<Option<OpeningHours>> {
        if self.hours != "weekly" {
            return Some(None);
        }
        let before = errors.len();
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (code, names) in DAYS {
            for pair in [[names[0], names[1]], [names[2], names[3]]] {
                let (from, to) = (self.cell(pair[0]), self.cell(pair[1]));
                match (from.is_empty(), to.is_empty()) {
                    (true, true) => continue,
                    (true, false) => errors.push((pair[0], t.err_pair)),
                    (false, true) => errors.push((pair[1], t.err_pair)),
                    (false, false) => {
                        let a = parse_clock(pair[0], from).map_err(|_| errors.push((pair[0], t.err_time)));
                        let b = parse_clock(pair[1], to).map_err(|_| errors.push((pair[1], t.err_time)));
                        if let (Ok(a), Ok(b)) = (a, b) {
                            if a >= b {
                                errors.push((pair[1], t.err_end_before));
                            } else {
                                map.entry(code.to_owned()).or_default().push(format!(
                                    "{}-{}",
                                    format_clock(a),
                                    format_clock(b)
                                ));
                            }
                        }
                    }
                }
            }
        }
        if errors.len() > before {
            return None;
        }
        if map.is_empty() {
            errors.push(("hours", t.err_no_hours));
            return None;
        }
        match OpeningHours::parse(&map) {
            Ok(hours) => Some(Some(hours)),
            Err(invalid) => {
                // Only two periods of one day can overlap: the second is wrong.
                for f in &invalid.fields {
                    let day = f.field.trim_start_matches("opening_hours.");
                    let day = day.split('[').next().unwrap_or(day);
                    if let Some((_, names)) = DAYS.iter().find(|(c, _)| *c == day) {
                        errors.push((names[2], t.err_overlap));
                    }
                }
                if errors.len() == before {
                    errors.push(("hours", t.err_overlap));
                }
                None
            }
        }
    }

    fn rules(&self, t: &ResourcesText, errors: &mut FieldErrors) -> Option<Rules> {
        let before = errors.len();
        let mut values = [0u32; 8];
        for (i, (name, value, _)) in self.numbers(t).iter().enumerate() {
            match value.trim().parse::<u32>() {
                Ok(v) => values[i] = v,
                Err(_) => errors.push((name, t.err_number)),
            }
        }
        let per_week = match self.max_bookings_per_user_per_week.trim() {
            "" => Some(None),
            v => match v.parse::<u32>() {
                Ok(n) => Some(Some(n)),
                Err(_) => {
                    errors.push(("max_bookings_per_user_per_week", t.err_per_week));
                    None
                }
            },
        };
        if errors.len() > before {
            return None;
        }
        let patch = RulesPatch {
            slot_minutes: Some(values[0]),
            min_minutes: Some(values[1]),
            max_minutes: Some(values[2]),
            min_notice_minutes: Some(values[3]),
            max_advance_days: Some(values[4]),
            buffer_minutes: Some(values[5]),
            release_after_minutes: Some(values[6]),
            preemption_grace_minutes: Some(values[7]),
            requires_approval: Some(self.requires_approval.is_some()),
            check_in_required: Some(self.check_in_required.is_some()),
            allow_preemption: Some(self.allow_preemption.is_some()),
            max_bookings_per_user_per_week: per_week,
        };
        match patch.apply(Rules::defaults_for(self.kind())) {
            Ok(rules) => Some(rules),
            Err(invalid) => {
                let numbers = self.numbers(t);
                for f in &invalid.fields {
                    let name = f.field.trim_start_matches("rules.");
                    if let Some((n, _, m)) = numbers.iter().find(|(n, _, _)| *n == name) {
                        errors.push((n, m));
                    } else if name == "max_bookings_per_user_per_week" {
                        errors.push(("max_bookings_per_user_per_week", t.err_per_week));
                    }
                }
                None
            }
        }
    }
}

fn text_input(
    errors: &FieldErrors,
    name: &'static str,
    label: &str,
    value: &str,
    hint: Option<&str>,
) -> Markup {
    let hint_id = format!("{name}-hint");
    let describe = match (described(errors, name), hint) {
        (Some(e), Some(_)) => Some(format!("{e} {hint_id}")),
        (Some(e), None) => Some(e),
        (None, Some(_)) => Some(hint_id.clone()),
        (None, None) => None,
    };
    field(
        errors,
        name,
        label,
        html! {
            @if let Some(h) = hint { p.hint id=(hint_id) { (h) } }
            input id=(name) type="text" name=(name) value=(value)
                aria-invalid=[described(errors, name).map(|_| "true")] aria-describedby=[describe];
        },
    )
}

fn number(errors: &FieldErrors, name: &'static str, label: &str, value: &str, hint: Option<&str>) -> Markup {
    let hint_id = format!("{name}-hint");
    let describe = match (described(errors, name), hint) {
        (Some(e), Some(_)) => Some(format!("{e} {hint_id}")),
        (Some(e), None) => Some(e),
        (None, Some(_)) => Some(hint_id.clone()),
        (None, None) => None,
    };
    field(
        errors,
        name,
        label,
        html! {
            @if let Some(h) = hint { p.hint id=(hint_id) { (h) } }
            input id=(name) type="number" inputmode="numeric" name=(name) value=(value)
                aria-invalid=[described(errors, name).map(|_| "true")] aria-describedby=[describe];
        },
    )
}

fn clock(f: &ResourceForm, errors: &FieldErrors, name: &'static str, label: &str) -> Markup {
    field(
        errors,
        name,
        label,
        html! {
            input id=(name) type="time" name=(name) value=(f.cell(name))
                aria-invalid=[described(errors, name).map(|_| "true")] aria-describedby=[described(errors, name)];
        },
    )
}

fn checkbox(name: &'static str, label: &str, hint: &str, on: bool) -> Markup {
    let hint_id = format!("{name}-hint");
    html! {
        div.field {
            label.check {
                input id=(name) type="checkbox" name=(name) checked[on] aria-describedby=(hint_id);
                " " (label)
            }
            p.hint id=(hint_id) { (hint) }
        }
    }
}

/// The week grid: a fieldset per weekday, its second period folded away
/// unless used (a `details` opens without JavaScript).
fn week(t: &ResourcesText, f: &ResourceForm, errors: &FieldErrors) -> Markup {
    let error = errors.iter().find(|(n, _)| *n == "hours").map(|(_, m)| *m);
    html! {
        fieldset.field.has-error[error.is_some()] id="hours" aria-describedby="hours-hint" {
            legend { (t.hours_legend) }
            @if let Some(m) = error { p.error id="hours-error" { (m) } }
            label.check {
                input type="radio" name="hours" value="always" checked[f.hours != "weekly"];
                " " (t.hours_always)
            }
            label.check {
                input type="radio" name="hours" value="weekly" checked[f.hours == "weekly"];
                " " (t.hours_weekly)
            }
            p.hint id="hours-hint" { (t.hours_hint) }
            div.week-hours {
                @for ((_, names), day) in DAYS.iter().zip(t.weekdays) {
                    @let second_used = !f.cell(names[2]).is_empty() || !f.cell(names[3]).is_empty()
                        || described(errors, names[2]).is_some() || described(errors, names[3]).is_some();
                    fieldset.day {
                        legend { (day) }
                        div.times {
                            (clock(f, errors, names[0], t.from))
                            (clock(f, errors, names[1], t.to))
                        }
                        details.second open[second_used] {
                            summary { (t.second_range) }
                            div.times {
                                (clock(f, errors, names[2], t.from))
                                (clock(f, errors, names[3], t.to))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The whole form, posting to `action`; `button` says what it does.
#[allow(clippy::too_many_arguments)]
pub fn form(
    t: &ResourcesText,
    fix_these: &str,
    csrf: &str,
    action: &str,
    button: &str,
    f: &ResourceForm,
    errors: &FieldErrors,
) -> Markup {
    html! {
        (error_summary(fix_these, errors))
        form.stack.resource-form method="post" action=(action) novalidate {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="kind" value=(f.kind);
            (text_input(errors, "name", t.name, &f.name, Some(t.name_hint)))
            (text_input(errors, "pool", t.pool, &f.pool, Some(t.pool_hint)))
            (number(errors, "capacity", t.capacity, &f.capacity, None))
            (text_input(errors, "features", t.features, &f.features, Some(t.features_hint)))
            (week(t, f, errors))
            fieldset {
                legend { (t.rules_legend) }
                (checkbox("requires_approval", t.requires_approval, t.requires_approval_hint, f.requires_approval.is_some()))
                (checkbox("check_in_required", t.check_in_required, t.check_in_hint, f.check_in_required.is_some()))
                (number(errors, "release_after_minutes", t.release_after, &f.release_after_minutes, None))
                (checkbox("allow_preemption", t.allow_preemption, t.preemption_hint, f.allow_preemption.is_some()))
                (number(errors, "preemption_grace_minutes", t.preemption_grace, &f.preemption_grace_minutes, None))
                (number(errors, "min_minutes", t.min_len, &f.min_minutes, None))
                (number(errors, "max_minutes", t.max_len, &f.max_minutes, Some(t.len_hint)))
                (number(errors, "slot_minutes", t.slot, &f.slot_minutes, Some(t.slot_hint)))
                (number(errors, "min_notice_minutes", t.min_notice, &f.min_notice_minutes, None))
                (number(errors, "max_advance_days", t.max_advance, &f.max_advance_days, None))
                (number(errors, "buffer_minutes", t.buffer, &f.buffer_minutes, Some(t.buffer_hint)))
                (number(errors, "max_bookings_per_user_per_week", t.per_week, &f.max_bookings_per_user_per_week, Some(t.per_week_hint)))
            }
            button type="submit" { (button) }
        }
    }
}
