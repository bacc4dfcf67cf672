//! The words of journey 3, the volunteer: duties, my duty dates, absence, cover.
//! zh-CN first, English second; fields in the order the page shows them.

use chrono::{Datelike, NaiveDate};

pub struct Duties {
    /// Chinese: the sentences below that take numbers or names are built
    /// in Chinese word order.
    pub zh: bool,
    pub title: &'static str,
    pub my_next: &'static str,
    pub intro: &'static str,
    pub my_dates_link: &'static str,
    pub none: &'static str,
    pub needs: &'static str,
    pub coming_dates: &'static str,
    pub nobody_yet: &'static str,
    pub full: &'static str,
    pub every_week: &'static str,
    pub just_this_date: &'static str,
    pub you_are_on: &'static str,
    pub not_volunteer: &'static str,
    pub no_more_dates: &'static str,
    pub could_not: &'static str,
    pub busy_elsewhere: &'static str,
    pub mine_title: &'static str,
    pub mine_empty: &'static str,
    pub weekly_tag: &'static str,
    pub once_tag: &'static str,
    pub absent_tag: &'static str,
    pub started_tag: &'static str,
    pub cannot_come: &'static str,
    pub see_list: &'static str,
    pub done_weekly: &'static str,
    pub done_once: &'static str,
    pub done_covered: &'static str,
    pub absence_intro: &'static str,
    pub note_label: &'static str,
    pub note_hint: &'static str,
    pub note_too_long: &'static str,
    pub confirm_absence: &'static str,
    pub not_yours: &'static str,
    pub absence_started: &'static str,
    pub cover_intro: &'static str,
    pub cover_confirm: &'static str,
    pub cover_taken: &'static str,
    pub cover_already: &'static str,
    pub cover_over: &'static str,
    pub my_dates_after: &'static str,
}

pub const ZH: Duties = Duties {
    zh: true,
    title: "志愿值班",
    my_next: "你的下一次值班：",
    intro: "居委会每周固定的志愿服务。可以每周都来，也可以只来某一天。",
    my_dates_link: "我的值班日期",
    none: "这里还没有志愿值班。",
    needs: "需要技能：",
    coming_dates: "接下来的日期",
    nobody_yet: "还没有人报名",
    full: "已满",
    every_week: "每周都来",
    just_this_date: "只来这一次",
    you_are_on: "你这天值班",
    not_volunteer: "只有本居委会的志愿者可以报名。",
    no_more_dates: "接下来没有日期了。",
    could_not: "没能报名",
    busy_elsewhere: "那个时间你已经在另一项值班了，一次只能值一个班。",
    mine_title: "我的值班日期",
    mine_empty: "接下来八周你没有值班。可以在值班表里报名。",
    weekly_tag: "每周",
    once_tag: "仅这一次",
    absent_tag: "已请假",
    started_tag: "正在进行",
    cannot_come: "我来不了",
    see_list: "看值班表",
    done_weekly: "报名成功：每周都来。",
    done_once: "报名成功：只来这一次。",
    done_covered: "谢谢你！代班已报名，这一天在下面的列表里。",
    absence_intro: "登记后，这一天的名额会空出来，我们马上发邮件请其他志愿者代班。你以后的值班不变。",
    note_label: "说明（可以不填）",
    note_hint: "比如：家里有事。最多 200 字。",
    note_too_long: "说明太长了，最多 200 字。",
    confirm_absence: "确认这天来不了",
    not_yours: "这一天你不在这项值班上，不需要请假。",
    absence_started: "这次值班已经开始了，不能再请假，请直接联系书记。",
    cover_intro: "有志愿者这天来不了。你来的话，只报名这一天，以后的安排不变。先报名者得。",
    cover_confirm: "我来代班",
    cover_taken: "这个名额已经有人代班了，谢谢你！",
    cover_already: "你这天已经在这项值班上了，不用再报名。",
    cover_over: "这次值班已经结束了。",
    my_dates_after: "看我的值班日期",
};

pub const EN: Duties = Duties {
    zh: false,
    title: "Volunteer duties",
    my_next: "Your next duty:",
    intro: "The committee's weekly volunteer services. Come every week, or just on one date.",
    my_dates_link: "My duty dates",
    none: "There are no volunteer duties here yet.",
    needs: "Needs: ",
    coming_dates: "Coming dates",
    nobody_yet: "Nobody yet",
    full: "Full",
    every_week: "Every week",
    just_this_date: "Just this date",
    you_are_on: "You are on",
    not_volunteer: "Only volunteers of this committee sign up.",
    no_more_dates: "No dates are coming up.",
    could_not: "Could not sign up",
    busy_elsewhere: "You are on another duty at that time; one duty at a time.",
    mine_title: "My duty dates",
    mine_empty: "You have no duty in the next eight weeks. Sign up on the duty list.",
    weekly_tag: "weekly",
    once_tag: "this date only",
    absent_tag: "Absence reported",
    started_tag: "Under way",
    cannot_come: "I cannot come",
    see_list: "See the duty list",
    done_weekly: "Signed up: every week.",
    done_once: "Signed up: just this date.",
    done_covered: "Thank you! You are covering it; the date is in the list below.",
    absence_intro: "Once you record it, your place that date is freed and other volunteers are asked by mail to cover it. Your other dates stay as they are.",
    note_label: "Note (optional)",
    note_hint: "For example: a family matter. At most 200 characters.",
    note_too_long: "The note is too long: at most 200 characters.",
    confirm_absence: "Yes, I cannot come that day",
    not_yours: "You are not on this duty that date, so there is nothing to report.",
    absence_started: "This duty has begun; it is too late to report an absence. Please call the secretary.",
    cover_intro: "A volunteer cannot come that day. If you can, you sign up for this date only; nothing else changes. The first to sign up takes it.",
    cover_confirm: "Yes, I will cover it",
    cover_taken: "Someone has already taken this place. Thank you all the same!",
    cover_already: "You are already on this duty that date; nothing more to do.",
    cover_over: "This duty is over.",
    my_dates_after: "See my duty dates",
};

impl Duties {
    fn pick(&self, zh: String, en: String) -> String {
        if self.zh { zh } else { en }
    }

    /// A date as people say it: "12月9日 周二", "Tue 9 Dec".
    pub fn date(&self, d: NaiveDate) -> String {
        const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
        const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let i = d.weekday().num_days_from_monday() as usize;
        self.pick(
            format!("{}月{}日 {}", d.month(), d.day(), ZH[i]),
            format!("{} {}", EN[i], d.format("%-d %b")),
        )
    }

    /// The weekly slot: "每周二 08:00–10:00", "Every Tuesday, 08:00–10:00".
    pub fn weekly(&self, weekday: i32, start: &str, end: &str) -> String {
        const ZH: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
        const EN: [&str; 7] = [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ];
        let i = weekday.clamp(0, 6) as usize;
        self.pick(
            format!("每周{} {start}–{end}", ZH[i]),
            format!("Every {}, {start}–{end}", EN[i]),
        )
    }

    /// A skill code in words.
    pub fn skill(&self, code: &str) -> String {
        let (zh, en) = match code {
            "medical" => ("医疗", "medical"),
            "legal" => ("法律", "legal"),
            "labour" => ("劳动保障", "labour law"),
            other => (other, other),
        };
        self.pick(zh.to_owned(), en.to_owned())
    }

    /// Places still free on one date (who is on is listed beside it).
    pub fn places(&self, free: i32) -> String {
        self.pick(
            format!("还剩 {free} 个名额"),
            format!("{free} place{} free", if free == 1 { "" } else { "s" }),
        )
    }

    pub fn missing_skill(&self, skill: &str) -> String {
        let s = self.skill(skill);
        self.pick(
            format!("这项值班需要{s}技能，你的资料里没有。如有，请联系书记添加。"),
            format!("This duty needs the {s} skill, which your profile does not list; ask the secretary to add it if you have it."),
        )
    }

    pub fn already_on(&self, d: NaiveDate) -> String {
        let d = self.date(d);
        self.pick(
            format!("你 {d} 已经报名了这项值班。"),
            format!("You are already on this duty on {d}."),
        )
    }

    pub fn full_on(&self, d: NaiveDate) -> String {
        let d = self.date(d);
        self.pick(
            format!("{d} 已满，所以不能报名每周都来。可以只报名有空位的日期。"),
            format!("{d} is full, so every week is not possible; sign up for the dates with a free place."),
        )
    }

    /// The absence page's question.
    pub fn absence_question(&self, name: &str, when: &str) -> String {
        self.pick(
            format!("{when} 的“{name}”来不了？"),
            format!("Cannot come to {name}, {when}?"),
        )
    }

    /// The cover page's question.
    pub fn cover_question(&self, name: &str, when: &str) -> String {
        self.pick(
            format!("你能在 {when} 代班“{name}”吗？"),
            format!("Will you cover {name} on {when}?"),
        )
    }

    /// Who the absence page says will be asked to cover.
    pub fn would_ask(&self, names: &[String]) -> String {
        if names.is_empty() {
            return self.pick(
                "现在没有其他可以代班的志愿者；值班前一天还缺人的话，书记会收到提醒。".to_owned(),
                "No other volunteer can be asked to cover; if the place is still free the day before, the secretary is told.".to_owned(),
            );
        }
        self.pick(
            format!("会请这些志愿者代班：{}。", names.join("、")),
            format!("These volunteers will be asked to cover: {}.", names.join(", ")),
        )
    }

    pub fn done_absent(&self, asked: usize) -> String {
        if asked == 0 {
            self.pick(
                "已登记请假。现在没有其他可以代班的志愿者；值班前一天还缺人的话，书记会收到提醒。".to_owned(),
                "Absence recorded. No other volunteer can be asked to cover; if the place is still free the day before, the secretary is told.".to_owned(),
            )
        } else {
            self.pick(
                format!("已登记请假，已发邮件请 {asked} 位志愿者代班。"),
                format!(
                    "Absence recorded; {asked} volunteer{} asked by mail to cover.",
                    if asked == 1 { " was" } else { "s were" }
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_slots_are_said_as_people_say_them() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        assert_eq!(ZH.date(d), "12月8日 周二");
        assert_eq!(EN.date(d), "Tue 8 Dec");
        assert_eq!(ZH.weekly(1, "08:00", "10:00"), "每周二 08:00–10:00");
        assert_eq!(EN.weekly(1, "08:00", "10:00"), "Every Tuesday, 08:00–10:00");
        assert_eq!(EN.places(1), "1 place free");
        assert_eq!(ZH.skill("medical"), "医疗");
    }
}
