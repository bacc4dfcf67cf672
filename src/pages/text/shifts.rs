//! The words of journey 4, front-desk staff: my shifts, offering and taking one.
//! zh-CN first, English second; fields in the order the page shows them.

use chrono::NaiveDate;

use crate::domain::person::Language;

pub struct Shifts {
    pub language: Language,
    pub title: &'static str,
    pub offered_done: &'static str,
    pub taken_done: &'static str,
    pub mine: &'static str,
    pub no_mine: &'static str,
    pub offer: &'static str,
    pub offered_waiting: &'static str,
    /// "{name} took your shift" comes as before + name + after.
    pub handed_before: &'static str,
    pub handed_after: &'static str,
    pub others_offer: &'static str,
    pub none_offered: &'static str,
    pub offered_by: &'static str,
    pub with: &'static str,
    pub take: &'static str,
    pub cannot_take: &'static str,
    pub week: &'static str,
    pub week_nav: &'static str,
    pub previous_week: &'static str,
    pub this_week: &'static str,
    pub next_week: &'static str,
    pub nothing_published: &'static str,
    pub open_post: &'static str,
    pub you: &'static str,
    pub offer_title: &'static str,
    pub offer_still_yours: &'static str,
    pub offer_untaken: &'static str,
    pub offer_confirm: &'static str,
    pub keep: &'static str,
    /// Dates as people say them: "12月8日" / "8 Dec".
    pub date_format: &'static str,
}

pub const ZH: Shifts = Shifts {
    language: Language::ZhCn,
    title: "我的接待班",
    offered_done: "已让出。同事接班之前，这个班还是你的，请照常上班。",
    taken_done: "接班成功，这个班现在是你的了。",
    mine: "我的班",
    no_mine: "接下来四周你没有接待班。",
    offer: "让出这个班",
    offered_waiting: "已让出，等同事来接",
    handed_before: "",
    handed_after: " 接了你的班",
    others_offer: "同事让出的班",
    none_offered: "现在没有同事让出的班。",
    offered_by: "让出人：",
    with: "同班：",
    take: "接这个班",
    cannot_take: "接不了：",
    week: "排班表",
    week_nav: "换一周",
    previous_week: "上一周",
    this_week: "本周",
    next_week: "下一周",
    nothing_published: "这一周没有公布的排班。",
    open_post: "空缺",
    you: "（你）",
    offer_title: "把这个班让给同事？",
    offer_still_yours: "同事接班之前，这个班还是你的，请照常上班。",
    offer_untaken: "开班前一天还没有人接，书记会收到提醒。",
    offer_confirm: "确认让出",
    keep: "不让了，返回",
    date_format: "%-m月%-d日",
};

pub const EN: Shifts = Shifts {
    language: Language::En,
    title: "My desk shifts",
    offered_done: "Offered. Until a colleague takes it the shift is still yours: come as usual.",
    taken_done: "Done: the shift is yours now.",
    mine: "My shifts",
    no_mine: "You have no desk shifts in the next four weeks.",
    offer: "Offer this shift",
    offered_waiting: "Offered; waiting for a colleague to take it",
    handed_before: "",
    handed_after: " took your shift",
    others_offer: "Shifts colleagues offer",
    none_offered: "No colleague is offering a shift now.",
    offered_by: "Offered by ",
    with: "With ",
    take: "Take this shift",
    cannot_take: "You cannot take it: ",
    week: "The rota",
    week_nav: "Another week",
    previous_week: "Previous week",
    this_week: "This week",
    next_week: "Next week",
    nothing_published: "No rota is published for this week.",
    open_post: "open",
    you: " (you)",
    offer_title: "Offer this shift to your colleagues?",
    offer_still_yours: "Until a colleague takes it the shift is still yours: come as usual.",
    offer_untaken: "If nobody has taken it by the day before, the secretary is told.",
    offer_confirm: "Yes, offer it",
    keep: "No, keep it",
    date_format: "%-d %b",
};

impl Shifts {
    pub fn date(&self, date: NaiveDate) -> String {
        date.format(self.date_format).to_string()
    }

    /// A refusal of offering or taking a shift (the `rule` the rota
    /// workflow names) in words; `None` leaves the workflow's own sentence.
    pub fn rule(&self, code: &str) -> Option<&'static str> {
        rule(self.language, code)
    }
}

fn rule(language: Language, code: &str) -> Option<&'static str> {
    let (zh, en) = match code {
        "not_on_shift" => (
            "只有这个班上的人才能让出它。",
            "Only someone on this shift can offer it.",
        ),
        "shift_started" => (
            "这个班已经开始了，不能再换。",
            "This shift has started; it can no longer be swapped.",
        ),
        "already_offered" => (
            "这个班已经让出了，正在等同事来接。",
            "This shift is already offered; it is waiting for a colleague.",
        ),
        "staff_only" => ("只有社工可以接前台接待班。", "Only staff take desk shifts."),
        "not_offered" => (
            "这个班已经没人让出了，可能刚被别的同事接走。",
            "This shift is no longer offered; a colleague may have just taken it.",
        ),
        "already_on_shift" => ("你已经在这个班上了。", "You are already on this shift."),
        "one_seat" => (
            "那段时间你已预约了电脑或别的座位，一个人同一时间只能占一个座位；先取消那个预约。",
            "You hold a computer or another seat then, and one person holds one seat at a time; cancel that booking first.",
        ),
        "unavailable" => (
            "你登记了这段时间不能值班（请假、培训或上门走访）。",
            "You are recorded as away then (leave, training or home visits).",
        ),
        "overlapping_shift" => (
            "你同一时间已经有别的班。",
            "You already have a shift at that time.",
        ),
        "weekly_limit" => (
            "接了这个班，你这周的班就超过上限了。",
            "This would put you over your weekly limit of shifts.",
        ),
        "no_senior" => (
            "这个班要有一位老同志带班（以老带新），让出的是唯一的老同志，你接不了。",
            "This shift needs an experienced colleague, and the one leaving is its only one.",
        ),
        "new_person_alone" => (
            "你刚来不久，这个班上没有有经验的同事和你一起（以老带新：新同事不单独值班）。",
            "You are new at this site, and nobody experienced would be on this shift with you; new colleagues never sit at the desk alone.",
        ),
        "rota_rule" => ("这样换班不符合排班规则。", "This swap breaks a rule of the rota."),
        _ => return None,
    };
    Some(match language {
        Language::ZhCn => zh,
        Language::En => en,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule the rota workflow names when it refuses an offer or a
    /// take (`workflows::rota::offer_refusal`, `take_check`) has words in
    /// both languages.
    #[test]
    fn every_swap_refusal_has_words() {
        for code in [
            "not_on_shift",
            "shift_started",
            "already_offered",
            "staff_only",
            "not_offered",
            "already_on_shift",
            "one_seat",
            "unavailable",
            "overlapping_shift",
            "weekly_limit",
            "no_senior",
            "new_person_alone",
            "rota_rule",
        ] {
            let (zh, en) = (ZH.rule(code), EN.rule(code));
            assert!(zh.is_some() && en.is_some(), "{code}");
            assert_ne!(zh, en, "{code}");
        }
        assert_eq!(ZH.rule("no_such_rule"), None);
    }
}
