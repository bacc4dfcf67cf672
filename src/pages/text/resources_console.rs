//! The words of the console's 场地 (computers, desks, rooms): the list, the
//! form with its week grid and rules, the blackouts. zh-CN first, English
//! second. [`hours_in_words`] and [`rules_in_words`] say a resource's
//! opening hours and booking rules as people say them, once for every page.

use chrono::Weekday;

use crate::domain::local_time::format_clock;
use crate::domain::person::Language;
use crate::domain::resource::{OpeningHours, ResourceKind, Rules};

/// The console's resources pages, in one language.
pub struct ResourcesText {
    pub title: &'static str,
    pub intro: &'static str,
    pub card_intro: &'static str,
    /// Computer, desk, room: headings of the list.
    pub kind_headings: [&'static str; 3],
    /// Computer, desk, room: the "add" links and the new form's title.
    pub add_kind: [&'static str; 3],
    pub none_of_kind: &'static str,
    pub hours_label: &'static str,
    pub rules_label: &'static str,
    pub pool_label: &'static str,
    pub capacity_label: &'static str,
    pub change: &'static str,
    pub blackouts_link: &'static str,
    pub back_to_list: &'static str,
    pub name: &'static str,
    pub name_hint: &'static str,
    pub pool: &'static str,
    pub pool_hint: &'static str,
    pub capacity: &'static str,
    pub features: &'static str,
    pub features_hint: &'static str,
    pub hours_legend: &'static str,
    pub hours_always: &'static str,
    pub hours_weekly: &'static str,
    pub hours_hint: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub second_range: &'static str,
    /// Monday first.
    pub weekdays: [&'static str; 7],
    pub rules_legend: &'static str,
    pub requires_approval: &'static str,
    pub requires_approval_hint: &'static str,
    pub check_in_required: &'static str,
    pub check_in_hint: &'static str,
    pub release_after: &'static str,
    pub allow_preemption: &'static str,
    pub preemption_hint: &'static str,
    pub preemption_grace: &'static str,
    pub slot: &'static str,
    pub slot_hint: &'static str,
    pub min_len: &'static str,
    pub max_len: &'static str,
    pub len_hint: &'static str,
    pub min_notice: &'static str,
    pub max_advance: &'static str,
    pub buffer: &'static str,
    pub buffer_hint: &'static str,
    pub per_week: &'static str,
    pub per_week_hint: &'static str,
    pub save: &'static str,
    pub created_done: &'static str,
    pub saved_done: &'static str,
    pub removed_done: &'static str,
    pub err_name: &'static str,
    pub err_pool: &'static str,
    pub err_capacity: &'static str,
    pub err_features: &'static str,
    pub err_number: &'static str,
    pub err_slot: &'static str,
    pub err_min: &'static str,
    pub err_max: &'static str,
    pub err_notice: &'static str,
    pub err_advance: &'static str,
    pub err_buffer: &'static str,
    pub err_per_week: &'static str,
    pub err_release: &'static str,
    pub err_grace: &'static str,
    pub err_time: &'static str,
    pub err_pair: &'static str,
    pub err_end_before: &'static str,
    pub err_overlap: &'static str,
    pub err_no_hours: &'static str,
    pub remove: &'static str,
    pub remove_title: &'static str,
    pub remove_warning: &'static str,
    pub remove_future_before: &'static str,
    pub remove_future_after: &'static str,
    pub remove_none_future: &'static str,
    pub remove_confirm: &'static str,
    pub keep: &'static str,
    pub blackouts_title: &'static str,
    pub blackouts_intro: &'static str,
    pub none_upcoming: &'static str,
    pub add_blackout_heading: &'static str,
    pub starts: &'static str,
    pub ends: &'static str,
    pub datetime_hint: &'static str,
    pub reason: &'static str,
    pub reason_hint: &'static str,
    pub add_blackout: &'static str,
    pub delete_blackout: &'static str,
    pub covered_title: &'static str,
    pub covered_intro: &'static str,
    pub covered_choice: &'static str,
    pub cancel_them: &'static str,
    pub go_back: &'static str,
    pub blackout_added: &'static str,
    pub blackout_cancelled_before: &'static str,
    pub blackout_cancelled_after: &'static str,
    pub blackout_deleted: &'static str,
    pub err_datetime: &'static str,
    pub err_blackout_end: &'static str,
    pub err_reason: &'static str,
    pub retired: &'static str,
}

impl ResourcesText {
    /// The words for a reader of `language`.
    pub fn of(language: Language) -> &'static ResourcesText {
        match language {
            Language::ZhCn => &ZH,
            Language::En => &EN,
        }
    }
}

pub const ZH: ResourcesText = ResourcesText {
    title: "场地",
    intro: "共享电脑、前台和房间：什么时候开放，怎样预约。时间都是本站当地时间。",
    card_intro: "新增和修改电脑、前台、房间，开放时间、预约规则和停用时段。",
    kind_headings: ["共享电脑", "前台", "房间"],
    add_kind: ["新增电脑", "新增前台", "新增房间"],
    none_of_kind: "还没有。",
    hours_label: "开放时间：",
    rules_label: "规则：",
    pool_label: "分组：",
    capacity_label: "人数：",
    change: "修改",
    blackouts_link: "停用时段",
    back_to_list: "场地",
    name: "名称",
    name_hint: "例如：活动室、2 号电脑",
    pool: "分组（可选）",
    pool_hint: "能互相替代的放进同一组，用英文小写，例如 computers；预约时分到组里任意一台空闲的。",
    capacity: "能容纳几个人（可选）",
    features: "设施（可选）",
    features_hint: "用逗号分开，英文小写，例如 piano, projector",
    hours_legend: "开放时间",
    hours_always: "随时开放（不限时间）",
    hours_weekly: "按下面每周的时间开放",
    hours_hint: "每天填开始和结束时间；空着的那天不开放。时间是本站当地时间。",
    from: "开始",
    to: "结束",
    second_range: "第二段（例如午休以后）",
    weekdays: ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
    rules_legend: "预约规则",
    requires_approval: "预约要管理员审批",
    requires_approval_hint: "审批前预约先占着时段，显示“待审批”。",
    check_in_required: "要签到",
    check_in_hint: "开始后一段时间还没签到的预约会被释放给别人。",
    release_after: "开始后多少分钟不签到就释放（分钟）",
    allow_preemption: "紧急工作可以占用",
    preemption_hint: "更紧急的工作可以挪走这里的预约，并告诉预约人。",
    preemption_grace: "开始前多少分钟以内不再挪动（分钟）",
    slot: "时间每格多少分钟（分钟）",
    slot_hint: "预约按这个长度对齐，例如 15、30、60。",
    min_len: "每次最短（分钟）",
    max_len: "每次最长（分钟）",
    len_hint: "例如 120 就是 2 小时；最长不超过 1440（一天）。",
    min_notice: "至少提前多久预约（分钟）",
    max_advance: "最多提前几天预约（天）",
    buffer: "每次用完后留出（分钟）",
    buffer_hint: "留给清洁、布置；0 就是不留。",
    per_week: "每人每周最多几次（次）",
    per_week_hint: "空着就是不限。",
    save: "保存",
    created_done: "已新增。",
    saved_done: "已保存。已有的预约不变。",
    removed_done: "已停用。之后的预约已取消，并通知了预约人。",
    err_name: "请填名称，最多 100 个字。",
    err_pool: "分组用 1 到 40 个英文小写字母、数字、- 或 _，例如 computers。",
    err_capacity: "请填 1 到 10000 之间的整数，或空着。",
    err_features: "每项用英文小写字母、数字、- 或 _，最多 30 项。",
    err_number: "请填 0 或更大的整数。",
    err_slot: "要能整除一天，在 5 到 240 分钟之间，例如 15、30、60。",
    err_min: "最短至少 1 分钟，而且不能比最长还长。",
    err_max: "最长不超过 1440 分钟（一天），而且不能比最短还短。",
    err_notice: "最多 43200 分钟（30 天）。",
    err_advance: "在 1 到 400 天之间。",
    err_buffer: "最多 240 分钟。",
    err_per_week: "在 1 到 1000 之间，或空着表示不限。",
    err_release: "在 1 到 240 分钟之间。",
    err_grace: "最多 1440 分钟。",
    err_time: "请填时间，例如 09:00。",
    err_pair: "开始和结束要一起填。",
    err_end_before: "结束要晚于开始。",
    err_overlap: "同一天的两段时间不能重叠。",
    err_no_hours: "至少填一天的开放时间，或者选“随时开放”。",
    remove: "停用",
    remove_title: "要停用这个场地吗？",
    remove_warning: "停用后不能再预约；过去的记录保留。",
    remove_future_before: "之后的 ",
    remove_future_after: " 个预约会被取消，并发邮件告诉预约人。",
    remove_none_future: "之后没有预约。",
    remove_confirm: "停用并取消之后的预约",
    keep: "不停用，返回",
    blackouts_title: "停用时段",
    blackouts_intro: "这段时间里不能预约，例如维修、放假。时间是本站当地时间。",
    none_upcoming: "没有即将到来的停用时段。",
    add_blackout_heading: "加一个停用时段",
    starts: "从",
    ends: "到",
    datetime_hint: "日期和时间，例如 2026-12-10 09:00。",
    reason: "原因",
    reason_hint: "受影响的预约人会在邮件里看到。",
    add_blackout: "加这个停用时段",
    delete_blackout: "删除",
    covered_title: "这段时间里已有预约",
    covered_intro: "下面这些预约落在这段时间里：",
    covered_choice: "可以取消它们并发邮件告诉预约人原因，或者返回改时间。",
    cancel_them: "通知他们并取消",
    go_back: "返回修改",
    blackout_added: "已加停用时段。",
    blackout_cancelled_before: "已加停用时段，",
    blackout_cancelled_after: " 个预约已取消，并通知了预约人。",
    blackout_deleted: "已删除停用时段。",
    err_datetime: "请填日期和时间，例如 2026-12-10 09:00。",
    err_blackout_end: "结束要晚于开始，而且最长 366 天。",
    err_reason: "请填原因，最多 200 个字。",
    retired: "已停用",
};

pub const EN: ResourcesText = ResourcesText {
    title: "Rooms and computers",
    intro: "Shared computers, the front desk and rooms: when they are open and how they are booked. Times are the site's local time.",
    card_intro: "Add and change computers, desks and rooms, their opening hours, booking rules and closures.",
    kind_headings: ["Shared computers", "Front desks", "Rooms"],
    add_kind: ["Add a computer", "Add a desk", "Add a room"],
    none_of_kind: "None yet.",
    hours_label: "Open: ",
    rules_label: "Rules: ",
    pool_label: "Group: ",
    capacity_label: "Holds: ",
    change: "Change",
    blackouts_link: "Closures",
    back_to_list: "Rooms and computers",
    name: "Name",
    name_hint: "For example: Activity room, Computer 2",
    pool: "Group (optional)",
    pool_hint: "Interchangeable ones share a group, in lowercase letters, such as computers; a booking gets any free one of the group.",
    capacity: "How many people it holds (optional)",
    features: "Features (optional)",
    features_hint: "Separated by commas, lowercase, such as piano, projector",
    hours_legend: "Opening hours",
    hours_always: "Always open (any time)",
    hours_weekly: "Open at the weekly times below",
    hours_hint: "Give each day a start and an end; a day left empty is closed. Times are the site's local time.",
    from: "From",
    to: "To",
    second_range: "A second period (after lunch, say)",
    weekdays: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
    rules_legend: "Booking rules",
    requires_approval: "Bookings need an admin's approval",
    requires_approval_hint: "Until approved, a booking holds its time and shows as pending.",
    check_in_required: "Check-in required",
    check_in_hint: "A booking not checked in some time after its start is released to others.",
    release_after: "Released if not checked in after (minutes)",
    allow_preemption: "Urgent work may take it",
    preemption_hint: "More urgent work may move bookings here; their owners are told.",
    preemption_grace: "Never moved within this long of its start (minutes)",
    slot: "Time steps (minutes)",
    slot_hint: "Bookings start and end on these steps, such as 15, 30, 60.",
    min_len: "Shortest booking (minutes)",
    max_len: "Longest booking (minutes)",
    len_hint: "120 is 2 hours; at most 1440 (one day).",
    min_notice: "Booked at least this long ahead (minutes)",
    max_advance: "Booked at most this many days ahead (days)",
    buffer: "Kept free after each booking (minutes)",
    buffer_hint: "For cleaning or setting up; 0 keeps nothing free.",
    per_week: "Bookings per person per week (times)",
    per_week_hint: "Empty: no limit.",
    save: "Save",
    created_done: "Added.",
    saved_done: "Saved. Existing bookings stay as they are.",
    removed_done: "Retired. Its future bookings are cancelled and their owners told.",
    err_name: "Give a name of at most 100 characters.",
    err_pool: "A group is 1 to 40 lowercase letters, digits, '-' or '_', such as computers.",
    err_capacity: "Give a whole number from 1 to 10000, or leave it empty.",
    err_features: "Each feature in lowercase letters, digits, '-' or '_'; at most 30.",
    err_number: "Give a whole number, 0 or more.",
    err_slot: "Must divide the day evenly, from 5 to 240 minutes, such as 15, 30, 60.",
    err_min: "At least 1 minute, and not longer than the longest booking.",
    err_max: "At most 1440 minutes (one day), and not shorter than the shortest booking.",
    err_notice: "At most 43200 minutes (30 days).",
    err_advance: "From 1 to 400 days.",
    err_buffer: "At most 240 minutes.",
    err_per_week: "From 1 to 1000, or empty for no limit.",
    err_release: "From 1 to 240 minutes.",
    err_grace: "At most 1440 minutes.",
    err_time: "Give a time, such as 09:00.",
    err_pair: "Give both the start and the end.",
    err_end_before: "The end must be after the start.",
    err_overlap: "A day's two periods must not overlap.",
    err_no_hours: "Give the opening hours of one day at least, or choose \"Always open\".",
    remove: "Retire",
    remove_title: "Retire this one?",
    remove_warning: "Once retired it takes no bookings; its history stays.",
    remove_future_before: "Its ",
    remove_future_after: " future booking(s) will be cancelled and their owners told by mail.",
    remove_none_future: "It has no future bookings.",
    remove_confirm: "Retire and cancel its future bookings",
    keep: "Keep it, go back",
    blackouts_title: "Closures",
    blackouts_intro: "Nothing can be booked during a closure (repairs, holidays). Times are the site's local time.",
    none_upcoming: "No closures ahead.",
    add_blackout_heading: "Add a closure",
    starts: "From",
    ends: "To",
    datetime_hint: "A date and time, such as 2026-12-10 09:00.",
    reason: "Reason",
    reason_hint: "The owners of bookings it covers read it in their mail.",
    add_blackout: "Add this closure",
    delete_blackout: "Delete",
    covered_title: "Bookings fall in this period",
    covered_intro: "These bookings fall in the period:",
    covered_choice: "Cancel them, telling their owners the reason by mail, or go back and change the times.",
    cancel_them: "Tell them and cancel",
    go_back: "Go back and change",
    blackout_added: "The closure is added.",
    blackout_cancelled_before: "The closure is added; ",
    blackout_cancelled_after: " booking(s) cancelled and their owners told.",
    blackout_deleted: "The closure is deleted.",
    err_datetime: "Give a date and a time, such as 2026-12-10 09:00.",
    err_blackout_end: "The end must be after the start, at most 366 days later.",
    err_reason: "Give a reason of at most 200 characters.",
    retired: "Retired",
};

/// The list's index of a kind: computers, desks, rooms.
pub fn kind_index(kind: ResourceKind) -> usize {
    match kind {
        ResourceKind::Computer => 0,
        ResourceKind::Desk => 1,
        ResourceKind::Room => 2,
    }
}

const SHORT_ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
const SHORT_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A length of time as people say it: "2 小时", "1 小时 30 分钟",
/// "2 hours", "1 hour 30 minutes".
pub fn minutes_in_words(language: Language, minutes: u32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match language {
        Language::ZhCn => match (h, m) {
            (0, m) => format!("{m} 分钟"),
            (h, 0) => format!("{h} 小时"),
            (h, m) => format!("{h} 小时 {m} 分钟"),
        },
        Language::En => {
            let hours = if h == 1 {
                "1 hour".to_owned()
            } else {
                format!("{h} hours")
            };
            let mins = if m == 1 {
                "1 minute".to_owned()
            } else {
                format!("{m} minutes")
            };
            match (h, m) {
                (0, _) => mins,
                (_, 0) => hours,
                _ => format!("{hours} {mins}"),
            }
        }
    }
}

/// Opening hours in words, consecutive days with the same hours said once:
/// "周一至周五 09:00–17:30，周六 09:00–12:00", "Mon–Fri 09:00–17:30, Sat
/// 09:00–12:00". `None` (no hours set) is always open.
pub fn hours_in_words(language: Language, hours: Option<&OpeningHours>) -> String {
    let zh = language == Language::ZhCn;
    let Some(hours) = hours else {
        return if zh { "随时开放" } else { "always open" }.to_owned();
    };
    let days: Vec<&[(u32, u32)]> = (0..7u8)
        .map(|i| hours.ranges(Weekday::try_from(i).unwrap_or(Weekday::Mon)))
        .collect();
    if days.iter().all(|d| d.is_empty()) {
        return if zh { "全周不开放" } else { "closed all week" }.to_owned();
    }
    let names = if zh { SHORT_ZH } else { SHORT_EN };
    let said = |ranges: &[(u32, u32)]| {
        ranges
            .iter()
            .map(|(a, b)| format!("{}–{}", format_clock(*a), format_clock(*b)))
            .collect::<Vec<_>>()
            .join(if zh { "、" } else { " and " })
    };
    if days.iter().all(|d| *d == days[0]) {
        let every = if zh { "每天" } else { "Every day" };
        return format!("{every} {}", said(days[0]));
    }
    let mut parts = Vec::new();
    let mut i = 0;
    while i < 7 {
        let mut j = i;
        while j + 1 < 7 && days[j + 1] == days[i] {
            j += 1;
        }
        if !days[i].is_empty() {
            let span = match j - i {
                0 => names[i].to_owned(),
                1 => format!("{}{}{}", names[i], if zh { "、" } else { ", " }, names[j]),
                _ => format!("{}{}{}", names[i], if zh { "至" } else { "–" }, names[j]),
            };
            parts.push(format!("{span} {}", said(days[i])));
        }
        i = j + 1;
    }
    parts.join(if zh { "，" } else { ", " })
}

/// A resource's booking rules in words, what matters to the one booking
/// first: "需签到；最长 2 小时；需审批".
pub fn rules_in_words(language: Language, rules: &Rules) -> String {
    let zh = language == Language::ZhCn;
    let len = |m: u32| minutes_in_words(language, m);
    let mut parts: Vec<String> = Vec::new();
    if rules.check_in_required {
        parts.push(if zh {
            format!(
                "需签到（开始 {} 后未签到即释放）",
                len(rules.release_after_minutes)
            )
        } else {
            format!(
                "check-in required (released {} after the start if not)",
                len(rules.release_after_minutes)
            )
        });
    }
    parts.push(if zh {
        format!("每次 {} 至 {}", len(rules.min_minutes), len(rules.max_minutes))
    } else {
        format!(
            "{} to {} a booking",
            len(rules.min_minutes),
            len(rules.max_minutes)
        )
    });
    if rules.requires_approval {
        parts.push(if zh { "需审批" } else { "needs approval" }.to_owned());
    }
    if rules.min_notice_minutes > 0 {
        parts.push(if zh {
            format!("至少提前 {}", len(rules.min_notice_minutes))
        } else {
            format!("at least {} ahead", len(rules.min_notice_minutes))
        });
    }
    parts.push(if zh {
        format!("最多提前 {} 天", rules.max_advance_days)
    } else {
        format!("up to {} days ahead", rules.max_advance_days)
    });
    if rules.buffer_minutes > 0 {
        parts.push(if zh {
            format!("每次后留 {}", len(rules.buffer_minutes))
        } else {
            format!("{} kept free after each", len(rules.buffer_minutes))
        });
    }
    if let Some(n) = rules.max_bookings_per_user_per_week {
        parts.push(if zh {
            format!("每人每周最多 {n} 次")
        } else {
            format!("at most {n} a week per person")
        });
    }
    if rules.allow_preemption {
        parts.push(
            if zh {
                "紧急工作可占用"
            } else {
                "urgent work may take it"
            }
            .to_owned(),
        );
    }
    parts.join(if zh { "；" } else { "; " })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn hours(pairs: &[(&str, &[&str])]) -> OpeningHours {
        let map: BTreeMap<String, Vec<String>> = pairs
            .iter()
            .map(|(d, r)| (d.to_string(), r.iter().map(|s| s.to_string()).collect()))
            .collect();
        OpeningHours::parse(&map).unwrap()
    }

    #[test]
    fn weekdays_with_the_same_hours_are_said_once() {
        let week = hours(&[
            ("mon", &["09:00-17:30"]),
            ("tue", &["09:00-17:30"]),
            ("wed", &["09:00-17:30"]),
            ("thu", &["09:00-17:30"]),
            ("fri", &["09:00-17:30"]),
            ("sat", &["09:00-12:00"]),
        ]);
        assert_eq!(
            hours_in_words(Language::ZhCn, Some(&week)),
            "周一至周五 09:00–17:30，周六 09:00–12:00"
        );
        assert_eq!(
            hours_in_words(Language::En, Some(&week)),
            "Mon–Fri 09:00–17:30, Sat 09:00–12:00"
        );
        let split = hours(&[
            ("tue", &["13:00-17:30", "08:30-12:00"]),
            ("thu", &["08:30-12:00"]),
        ]);
        assert_eq!(
            hours_in_words(Language::ZhCn, Some(&split)),
            "周二 08:30–12:00、13:00–17:30，周四 08:30–12:00"
        );
        assert_eq!(hours_in_words(Language::ZhCn, None), "随时开放");
        assert_eq!(
            hours_in_words(Language::En, Some(&OpeningHours::default())),
            "closed all week"
        );
        let daily: Vec<(&str, &[&str])> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .map(|d| (*d, &["08:00-20:00"][..]))
            .collect();
        assert_eq!(
            hours_in_words(Language::ZhCn, Some(&hours(&daily))),
            "每天 08:00–20:00"
        );
    }

    #[test]
    fn rules_read_as_a_sentence() {
        let mut rules = Rules::defaults_for(ResourceKind::Room);
        rules.max_minutes = 120;
        rules.requires_approval = true;
        assert_eq!(
            rules_in_words(Language::ZhCn, &rules),
            "每次 30 分钟 至 2 小时；需审批；至少提前 1 小时；最多提前 366 天"
        );
        let pc = Rules::defaults_for(ResourceKind::Computer);
        assert_eq!(
            rules_in_words(Language::En, &pc),
            "check-in required (released 15 minutes after the start if not); 15 minutes to 4 hours a booking; up to 14 days ahead; at most 15 a week per person; urgent work may take it"
        );
        assert_eq!(minutes_in_words(Language::ZhCn, 90), "1 小时 30 分钟");
        assert_eq!(minutes_in_words(Language::En, 61), "1 hour 1 minute");
    }
}
