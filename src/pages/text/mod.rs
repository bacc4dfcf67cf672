//! Every word of the web app, zh-CN first and English second, in one
//! place per language. Time ranges and urgencies come from `crate::words`
//! so a page says them as the mail does.

use crate::domain::person::Language;

pub mod channels_console;
mod console;
mod duties;
mod reports;
pub mod resources_console;
mod rooms;
mod settings;
mod shifts;

pub use channels_console::ChannelsText;
pub use console::Console;
pub use duties::Duties;
pub use reports::Reports;
pub use resources_console::ResourcesText;
pub use rooms::Rooms;
pub use settings::Settings;
pub use shifts::Shifts;

pub struct Text {
    pub lang: &'static str,
    pub app_name: &'static str,
    pub skip: &'static str,
    pub sign_in: &'static str,
    pub sign_in_title: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub forgot_link: &'static str,
    pub wrong_login: &'static str,
    pub too_many: &'static str,
    pub forgot_title: &'static str,
    pub forgot_intro: &'static str,
    pub forgot_button: &'static str,
    pub forgot_sent: &'static str,
    pub back_to_sign_in: &'static str,
    pub sign_out: &'static str,
    pub signed_out: &'static str,
    pub choose_site: &'static str,
    pub no_site: &'static str,
    pub use_computer: &'static str,
    pub free_now: &'static str,
    pub none_free_now: &'static str,
    pub my_plans: &'static str,
    pub nothing_ahead: &'static str,
    pub shift: &'static str,
    pub check_in: &'static str,
    pub checked_in: &'static str,
    pub pending: &'static str,
    pub cancel: &'static str,
    pub my_bookings: &'static str,
    pub home: &'static str,
    pub how_long: &'static str,
    pub lengths: [&'static str; 3],
    pub from_now: &'static str,
    pub booked_title: &'static str,
    pub check_in_hint: &'static str,
    pub none_free_title: &'static str,
    pub next_free: &'static str,
    pub book_this_time: &'static str,
    pub no_more_today: &'static str,
    pub waitlist_intro: &'static str,
    pub waitlist_button: &'static str,
    pub waitlisted_title: &'static str,
    pub waitlisted: &'static str,
    pub urgent_heading: &'static str,
    pub urgent_intro: &'static str,
    pub reason: &'static str,
    pub reasons: [&'static str; 4],
    pub see_who_moves: &'static str,
    pub would_title: &'static str,
    pub nobody_moves: &'static str,
    pub confirm_urgent: &'static str,
    pub purpose: &'static str,
    pub cancelled: &'static str,
    pub checked_in_done: &'static str,
    pub check_in_here_title: &'static str,
    pub nothing_to_check_in: &'static str,
    pub form_expired: &'static str,
    pub not_found: &'static str,
    pub went_wrong: &'static str,
    pub to_waitlist: &'static str,
    pub moved_to: &'static str,
    pub gives_way: &'static str,
    pub today: &'static str,
    pub someone: &'static str,
    pub back: &'static str,
    pub urgent_cannot_displace: &'static str,
    pub tomorrow: &'static str,
    pub me: &'static str,
    pub later_today: &'static str,
    pub starting_at: &'static str,
    pub for_how_long: &'static str,
    pub rooms_nav: &'static str,
    pub duties_nav: &'static str,
    pub shifts_nav: &'static str,
    /// Each journey's own words, one file per page family.
    pub rooms: Rooms,
    pub duties: Duties,
    pub shifts: Shifts,
    pub settings: Settings,
    pub console: Console,
    pub reports: Reports,
}

pub const ZH: Text = Text {
    lang: "zh-CN",
    app_name: "客厅预约",
    skip: "跳到正文",
    sign_in: "登录",
    sign_in_title: "登录客厅预约",
    email: "电子邮箱",
    password: "密码",
    forgot_link: "忘记密码？",
    wrong_login: "邮箱或密码不对，请再试一次。",
    too_many: "尝试次数太多，请过一会儿再试。",
    forgot_title: "忘记密码了？",
    forgot_intro: "输入你的电子邮箱，我们会发一个重设密码的链接。",
    forgot_button: "发送重设链接",
    forgot_sent: "如果这个邮箱有账号，重设密码的链接已经发出，一小时内有效。",
    back_to_sign_in: "返回登录",
    sign_out: "退出登录",
    signed_out: "你已退出登录。",
    choose_site: "选择居委会",
    no_site: "你还不属于任何居委会，请联系书记把你加进来。",
    use_computer: "用电脑",
    free_now: "现在空闲：",
    none_free_now: "现在没有空闲的电脑",
    my_plans: "我的安排",
    nothing_ahead: "近两周没有预约或排班。",
    shift: "前台接待班",
    check_in: "签到",
    checked_in: "已签到",
    pending: "待审批",
    cancel: "取消预约",
    my_bookings: "我的预约",
    home: "首页",
    how_long: "用多久？",
    lengths: ["30 分钟", "1 小时", "1.5 小时"],
    from_now: "从现在开始，自动分配一台空闲电脑。",
    booked_title: "约好了",
    check_in_hint: "到电脑前请点“签到”，开始后 15 分钟内不签到，预约会被释放。",
    none_free_title: "现在没有空闲的电脑",
    next_free: "最早空出来的时间",
    book_this_time: "预约这个时间",
    no_more_today: "今天没有足够长的空闲时间了。",
    waitlist_intro: "排队候补：今天有电脑空出来，会自动为你预约并通知你。",
    waitlist_button: "排队候补",
    waitlisted_title: "已排队候补",
    waitlisted: "有电脑空出来会自动为你预约，并发邮件通知你。",
    urgent_heading: "这是紧急工作吗？",
    urgent_intro: "紧急工作可以先用电脑，别人的普通预约会让出来。先选原因，看看会影响谁。",
    reason: "原因",
    reasons: ["调解", "安全", "上级急件", "其他"],
    see_who_moves: "看看会影响谁",
    would_title: "确认紧急使用",
    nobody_moves: "不会影响别人的预约。",
    confirm_urgent: "确认紧急使用",
    purpose: "用电脑",
    cancelled: "预约已取消。",
    checked_in_done: "签到成功",
    check_in_here_title: "在这台电脑签到",
    nothing_to_check_in: "你现在在这台电脑没有可以签到的预约。",
    form_expired: "这个页面已过期，请返回刷新后再操作。",
    not_found: "找不到这个页面。",
    went_wrong: "出了点问题，请稍后再试。",
    to_waitlist: "转入候补",
    moved_to: "改到",
    gives_way: "会让出来",
    today: "今天",
    someone: "别人",
    back: "返回",
    urgent_cannot_displace: "正在使用或 15 分钟内开始的预约不会让出来，紧急工作也一样。可以预约最早空出来的时间，或排队候补。",
    tomorrow: "明天",
    me: "我的",
    later_today: "今天晚些时候",
    starting_at: "开始时间",
    for_how_long: "用多久",
    rooms_nav: "房间",
    duties_nav: "志愿值班",
    shifts_nav: "接待班",
    rooms: rooms::ZH,
    duties: duties::ZH,
    shifts: shifts::ZH,
    settings: settings::ZH,
    console: console::ZH,
    reports: reports::ZH,
};

pub const EN: Text = Text {
    lang: "en",
    app_name: "Living room bookings",
    skip: "Skip to content",
    sign_in: "Sign in",
    sign_in_title: "Sign in to Living room bookings",
    email: "E-mail address",
    password: "Password",
    forgot_link: "Forgot your password?",
    wrong_login: "Wrong e-mail address or password; try again.",
    too_many: "Too many attempts. Wait a while and try again.",
    forgot_title: "Forgot your password?",
    forgot_intro: "Give your e-mail address and we will send a link to set a new password.",
    forgot_button: "Send the link",
    forgot_sent: "If this address has an account, a link to set a new password is on its way. It works for an hour.",
    back_to_sign_in: "Back to sign in",
    sign_out: "Sign out",
    signed_out: "You are signed out.",
    choose_site: "Choose a site",
    no_site: "You do not belong to a site yet; ask your secretary to add you.",
    use_computer: "Use a computer",
    free_now: "Free now: ",
    none_free_now: "No computer is free now",
    my_plans: "What I have next",
    nothing_ahead: "Nothing booked in the next two weeks.",
    shift: "Front-desk shift",
    check_in: "Check in",
    checked_in: "Checked in",
    pending: "Pending",
    cancel: "Cancel booking",
    my_bookings: "My bookings",
    home: "Home",
    how_long: "For how long?",
    lengths: ["30 minutes", "1 hour", "1.5 hours"],
    from_now: "From now, on any free computer.",
    booked_title: "Booked",
    check_in_hint: "Tap “Check in” at the computer; a booking not checked in within 15 minutes of its start is released.",
    none_free_title: "No computer is free now",
    next_free: "The earliest free time",
    book_this_time: "Book this time",
    no_more_today: "No free time long enough is left today.",
    waitlist_intro: "Join the waitlist: when a computer frees up today you are booked and told by mail.",
    waitlist_button: "Join the waitlist",
    waitlisted_title: "On the waitlist",
    waitlisted: "When a computer frees up you are booked at once and told by mail.",
    urgent_heading: "Is this urgent work?",
    urgent_intro: "Urgent work may use a computer first; an ordinary booking gives way. Pick the reason and see who would move.",
    reason: "Reason",
    reasons: ["Mediation", "Safety", "Urgent from above", "Other"],
    see_who_moves: "See who would give way",
    would_title: "Confirm urgent use",
    nobody_moves: "Nobody else's booking is affected.",
    confirm_urgent: "Confirm urgent use",
    purpose: "Computer work",
    cancelled: "The booking is cancelled.",
    checked_in_done: "Checked in",
    check_in_here_title: "Check in at this computer",
    nothing_to_check_in: "You have no booking at this computer that can be checked in now.",
    form_expired: "This page has expired; go back, reload and try again.",
    not_found: "There is no such page.",
    went_wrong: "Something went wrong; try again in a moment.",
    to_waitlist: "goes to the waitlist",
    moved_to: "moves to",
    gives_way: "gives way",
    today: "Today",
    someone: "Someone",
    back: "Back",
    urgent_cannot_displace: "A booking in use or starting within 15 minutes does not give way, even to urgent work. Book the earliest free time or join the waitlist.",
    tomorrow: "Tomorrow",
    me: "Me",
    later_today: "Later today",
    starting_at: "Starting at",
    for_how_long: "For how long",
    rooms_nav: "Rooms",
    duties_nav: "Duties",
    shifts_nav: "Shifts",
    rooms: rooms::EN,
    duties: duties::EN,
    shifts: shifts::EN,
    settings: settings::EN,
    console: console::EN,
    reports: reports::EN,
};

impl Text {
    /// "你排在第 2 位" / "You are number 2 in line".
    pub fn place_in_line(&self, place: u32) -> String {
        if self.lang == "en" {
            format!("You are number {place} in line.")
        } else {
            format!("你排在第 {place} 位。")
        }
    }
}

pub fn text(language: Language) -> &'static Text {
    match language {
        Language::ZhCn => &ZH,
        Language::En => &EN,
    }
}

/// A booking rule (the `rule` of a refusal) in words; `None` leaves the
/// workflow's own sentence.
pub fn rule(language: Language, code: &str) -> Option<&'static str> {
    let (zh, en) = match code {
        "outside_opening_hours" => ("这个时间不开放。", "It is closed at that time."),
        "too_short" => ("时间太短了。", "That is too short."),
        "too_long" => (
            "时间太长了，请选短一点。",
            "That is too long; choose a shorter time.",
        ),
        "in_the_past" => ("这个时间已经过去了。", "That time has passed."),
        "over_quota" => (
            "你这周的用机时间已用完。",
            "You have used your hours for this week.",
        ),
        "reason_required" => ("紧急工作要选一个原因。", "Urgent work needs a reason."),
        "urgent_quota" => (
            "你的紧急使用次数已用完。",
            "You have used up your urgent bookings.",
        ),
        "too_many_future_bookings" => (
            "你已有太多未来的预约，先取消一个。",
            "You hold too many future bookings; cancel one first.",
        ),
        _ => return None,
    };
    Some(match language {
        Language::ZhCn => zh,
        Language::En => en,
    })
}

mod rota_console;
pub use rota_console::{RotaText, rota_text};
