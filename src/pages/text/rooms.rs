//! The words of journey 2, the interest-group leader: the rooms' week grid, weekly series, clashes, approvals.
//! zh-CN first, English second; fields in the order the page shows them.

pub struct Rooms {
    en: bool,
    pub title: &'static str,
    pub pick_room: &'static str,
    pub needs_approval: &'static str,
    pub my_room_bookings: &'static str,
    pub prev_week: &'static str,
    pub next_week: &'static str,
    pub this_week: &'static str,
    pub legend: &'static str,
    pub free: &'static str,
    pub taken: &'static str,
    pub closed: &'static str,
    pub unavailable: &'static str,
    pub mine: &'static str,
    pub pending: &'static str,
    pub time: &'static str,
    pub choose_day: &'static str,
    pub grid_hint: &'static str,
    pub date: &'static str,
    pub start: &'static str,
    pub end: &'static str,
    pub purpose: &'static str,
    pub purpose_hint: &'static str,
    pub group: &'static str,
    pub no_group: &'static str,
    pub headcount: &'static str,
    pub repeat: &'static str,
    pub once: &'static str,
    pub weekly_count: &'static str,
    pub count: &'static str,
    pub weekly_until: &'static str,
    pub until: &'static str,
    pub see_dates: &'static str,
    pub preview_title: &'static str,
    pub all_free: &'static str,
    pub none_left: &'static str,
    pub change: &'static str,
    pub pending_note: &'static str,
    pub taken_meanwhile: &'static str,
    pub booked_done: &'static str,
    pub booked_pending: &'static str,
    pub status_confirmed: &'static str,
    pub status_pending: &'static str,
    pub status_rejected: &'static str,
    pub cancel_one: &'static str,
    pub cancel_series: &'static str,
    pub cancelled_one: &'static str,
    pub cancelled_series: &'static str,
    pub no_bookings: &'static str,
    pub book_a_room: &'static str,
    pub errors_title: &'static str,
    pub err_date: &'static str,
    pub err_time: &'static str,
    pub err_end_after: &'static str,
    pub err_purpose: &'static str,
    pub err_headcount: &'static str,
    pub err_count: &'static str,
    pub err_until: &'static str,
    pub err_no_such_time: &'static str,
    pub err_group: &'static str,
    pub taken_now: &'static str,
    pub weekly: &'static str,
    pub dates_heading: &'static str,
}

pub const ZH: Rooms = Rooms {
    en: false,
    title: "房间",
    pick_room: "选一个房间",
    needs_approval: "需要书记审批",
    my_room_bookings: "我的房间预约",
    prev_week: "上一周",
    next_week: "下一周",
    this_week: "本周",
    legend: "说明",
    free: "空闲",
    taken: "已约",
    closed: "不开放",
    unavailable: "不可预约",
    mine: "我的",
    pending: "待审批",
    time: "时间",
    choose_day: "选一天",
    grid_hint: "点“空闲”的格子预约这个时间。已过去或太近的时间不能预约。",
    date: "日期",
    start: "开始时间",
    end: "结束时间",
    purpose: "做什么用",
    purpose_hint: "例如：旗袍排练、书法课",
    group: "为哪个团队预约",
    no_group: "不代表团队",
    headcount: "大约几个人（可不填）",
    repeat: "每周重复吗？",
    once: "只约这一次",
    weekly_count: "每周同一时间，共几次",
    count: "一共几次（2 到 52）",
    weekly_until: "每周同一时间，到某一天为止",
    until: "最后一次不晚于",
    see_dates: "看看这些日期能不能约",
    preview_title: "确认预约的日期",
    all_free: "这些日期都空着。",
    none_left: "所有日期都已被占用，请换一个时间。",
    change: "修改时间或次数",
    pending_note: "这个房间需要书记审批：预约先保留为“待审批”，批准后会通知你。",
    taken_meanwhile: "刚才有人约了其中的日期，下面是最新的情况。",
    booked_done: "预约好了。",
    booked_pending: "已提交，等书记审批。",
    status_confirmed: "已确认",
    status_pending: "待审批",
    status_rejected: "未批准",
    cancel_one: "取消这一次",
    cancel_series: "取消以后所有日期",
    cancelled_one: "这一次已取消。",
    cancelled_series: "以后的日期都已取消。",
    no_bookings: "你还没有房间预约。",
    book_a_room: "预约房间",
    errors_title: "请先改正下面的问题",
    err_date: "请选一个日期。",
    err_time: "请选开始和结束时间。",
    err_end_after: "结束时间要晚于开始时间。",
    err_purpose: "请写上做什么用（200 字以内）。",
    err_headcount: "人数要在 1 到 10000 之间。",
    err_count: "次数要在 2 到 52 之间。",
    err_until: "请选一个不早于第一次、一年以内的日期。",
    err_no_such_time: "这一天没有这个时间（时钟调整），请换一个时间。",
    err_group: "只能为你带领的团队预约。",
    taken_now: "这个时间已被占用，请换一个时间。",
    weekly: "每周",
    dates_heading: "日期",
};

pub const EN: Rooms = Rooms {
    en: true,
    title: "Rooms",
    pick_room: "Choose a room",
    needs_approval: "Needs the secretary's approval",
    my_room_bookings: "My room bookings",
    prev_week: "Previous week",
    next_week: "Next week",
    this_week: "This week",
    legend: "Key",
    free: "Free",
    taken: "Taken",
    closed: "Closed",
    unavailable: "Not bookable",
    mine: "Mine",
    pending: "Pending",
    time: "Time",
    choose_day: "Choose a day",
    grid_hint: "Tap a “Free” cell to book that time. Past times and times too soon cannot be booked.",
    date: "Date",
    start: "Start",
    end: "End",
    purpose: "What is it for",
    purpose_hint: "For example: qipao rehearsal, calligraphy class",
    group: "For which group",
    no_group: "Not for a group",
    headcount: "About how many people (optional)",
    repeat: "Repeat every week?",
    once: "Just this once",
    weekly_count: "Every week at this time, a number of times",
    count: "How many times in all (2 to 52)",
    weekly_until: "Every week at this time, until a date",
    until: "The last time no later than",
    see_dates: "Check these dates",
    preview_title: "Check the dates",
    all_free: "All these dates are free.",
    none_left: "Every date is taken; choose another time.",
    change: "Change the time or dates",
    pending_note: "This room needs the secretary's approval: the booking is held as pending, and you are told when it is approved.",
    taken_meanwhile: "Someone booked one of the dates meanwhile; here is how it stands now.",
    booked_done: "Booked.",
    booked_pending: "Sent; waiting for the secretary's approval.",
    status_confirmed: "Confirmed",
    status_pending: "Pending approval",
    status_rejected: "Not approved",
    cancel_one: "Cancel this date",
    cancel_series: "Cancel all later dates",
    cancelled_one: "That date is cancelled.",
    cancelled_series: "All later dates are cancelled.",
    no_bookings: "You have no room bookings yet.",
    book_a_room: "Book a room",
    errors_title: "There is a problem",
    err_date: "Choose a date.",
    err_time: "Choose a start and an end time.",
    err_end_after: "The end must be after the start.",
    err_purpose: "Say what it is for (up to 200 characters).",
    err_headcount: "The number of people must be between 1 and 10000.",
    err_count: "The number of times must be between 2 and 52.",
    err_until: "Choose a date not before the first one and within a year.",
    err_no_such_time: "That time does not exist on that day (the clocks change); choose another.",
    err_group: "You can book only for a group you lead.",
    taken_now: "That time is already taken; choose another.",
    weekly: "Weekly",
    dates_heading: "Dates",
};

impl Rooms {
    pub fn capacity(&self, n: i32) -> String {
        if self.en {
            format!("Holds {n}")
        } else {
            format!("可容纳 {n} 人")
        }
    }

    /// "12月8日" / "8 Dec".
    pub fn short_date(&self, date: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        if self.en {
            date.format("%-d %b").to_string()
        } else {
            format!("{}月{}日", date.month(), date.day())
        }
    }

    /// "每周 周二 14:00–16:00" / "Weekly, Tue 14:00–16:00".
    pub fn weekly_at(&self, weekday: &str, from: &str, to: &str) -> String {
        if self.en {
            format!("Weekly, {weekday} {from}–{to}")
        } else {
            format!("每周 {weekday} {from}–{to}")
        }
    }

    /// The heading of the booking form, a question.
    pub fn when_question(&self, room: &str) -> String {
        if self.en {
            format!("When do you need the {room}?")
        } else {
            format!("什么时候用{room}？")
        }
    }

    pub fn week_of(&self, monday: &str, sunday: &str) -> String {
        if self.en {
            format!("Week of {monday} to {sunday}")
        } else {
            format!("{monday} 至 {sunday} 这一周")
        }
    }

    /// The name a free cell's link is read out by.
    pub fn book_at(&self, day: &str, time: &str) -> String {
        if self.en {
            format!("Free: book {day} {time}")
        } else {
            format!("空闲：预约{day} {time}")
        }
    }

    pub fn clash_count(&self, n: usize) -> String {
        if self.en {
            format!("{n} of the dates are taken:")
        } else {
            format!("有 {n} 个日期已被占用：")
        }
    }

    pub fn taken_by(&self, by: Option<&str>, time: &str) -> String {
        match (by, self.en) {
            (Some(by), false) => format!("已被{by}占用（{time}）"),
            (None, false) => format!("已被占用（{time}）"),
            (Some(by), true) => format!("taken by {by} ({time})"),
            (None, true) => format!("taken ({time})"),
        }
    }

    pub fn book_skipping(&self, n: usize) -> String {
        if self.en {
            format!("Skip the taken dates and book the other {n}")
        } else {
            format!("跳过这些日期，预约其余 {n} 次")
        }
    }

    pub fn book_all(&self, n: usize) -> String {
        match (n, self.en) {
            (1, false) => "预约这个时间".to_owned(),
            (1, true) => "Book this time".to_owned(),
            (n, false) => format!("预约这 {n} 次"),
            (n, true) => format!("Book all {n} dates"),
        }
    }

    /// A booking rule the room's rules refuse, in words; `None` leaves
    /// the shared words (`text::rule`) or the workflow's sentence.
    pub fn rule(&self, code: &str) -> Option<&'static str> {
        let (zh, en) = match code {
            "blackout" => ("这段时间房间暂停使用。", "The room is closed for that time."),
            "granularity" => (
                "开始和结束要在整点或半点。",
                "Start and end on the hour or half hour.",
            ),
            "too_late" => (
                "离开始太近了，请至少提前一小时预约。",
                "That is too soon; book at least an hour ahead.",
            ),
            "too_far_ahead" => (
                "这个日期太远了，还不能预约。",
                "That date is too far ahead to book yet.",
            ),
            "over_capacity" => (
                "人数超过了这个房间能容纳的人数。",
                "More people than the room holds.",
            ),
            "resource_retired" => ("这个房间已停用。", "This room is no longer in use."),
            _ => return None,
        };
        Some(if self.en { en } else { zh })
    }
}
