//! The words of the console's 群机器人 page (a site's group-chat robots and
//! webhooks): the list with each one's recent messages, the add and change
//! forms, removing one. zh-CN first, English second.

use crate::domain::channel::{ChannelKind, Topic};
use crate::domain::person::Language;

/// The console's robots and webhooks pages, in one language.
pub struct ChannelsText {
    pub language: Language,
    pub title: &'static str,
    /// The console's section link.
    pub nav: &'static str,
    pub card_intro: &'static str,
    pub intro: &'static str,
    pub none_yet: &'static str,
    pub add: &'static str,
    pub new_title: &'static str,
    pub back_to_list: &'static str,
    /// WeCom, DingTalk, Feishu, webhook (`ChannelKind::ALL`'s order).
    pub kind_names: [&'static str; 4],
    /// Where each kind's address is found and what it looks like.
    pub url_hints: [&'static str; 4],
    /// Whether each kind has a secret and which.
    pub secret_hints: [&'static str; 4],
    /// Each listenable topic (`Topic::LISTENABLE`'s order), then the test.
    pub topic_names: [&'static str; 9],
    /// pending, sent, dead.
    pub statuses: [&'static str; 3],
    pub kind_label: &'static str,
    pub address_label: &'static str,
    pub secret_label: &'static str,
    pub secret_set: &'static str,
    pub secret_none: &'static str,
    pub topics_label: &'static str,
    pub state_label: &'static str,
    pub state_on: &'static str,
    pub state_off: &'static str,
    pub deliveries_heading: &'static str,
    pub no_deliveries: &'static str,
    pub last_error: &'static str,
    pub change: &'static str,
    pub send_test: &'static str,
    pub test_off: &'static str,
    pub remove: &'static str,
    pub created_done: &'static str,
    pub saved_done: &'static str,
    pub removed_done: &'static str,
    pub tested_done: &'static str,
    pub kind_legend: &'static str,
    pub name: &'static str,
    pub name_hint: &'static str,
    pub url: &'static str,
    pub new_url: &'static str,
    pub secret: &'static str,
    pub new_secret: &'static str,
    pub no_secret_wecom: &'static str,
    pub clear_secret: &'static str,
    pub topics_legend: &'static str,
    pub topics_default_hint: &'static str,
    pub active: &'static str,
    pub active_hint: &'static str,
    pub keep_note: &'static str,
    pub not_kept_note: &'static str,
    pub add_button: &'static str,
    pub save: &'static str,
    pub remove_title: &'static str,
    pub remove_warning: &'static str,
    pub remove_confirm: &'static str,
    pub keep: &'static str,
    pub err_kind: &'static str,
    pub err_name: &'static str,
    pub err_name_taken: &'static str,
    /// Per kind, as `url_hints`.
    pub err_url: [&'static str; 4],
    pub err_secret_wecom: &'static str,
    pub err_secret_required: &'static str,
    pub err_secret: &'static str,
    pub err_topics: &'static str,
}

/// A kind's index in the arrays above.
pub fn kind_index(kind: ChannelKind) -> usize {
    match kind {
        ChannelKind::Wecom => 0,
        ChannelKind::Dingtalk => 1,
        ChannelKind::Feishu => 2,
        ChannelKind::Webhook => 3,
    }
}

impl ChannelsText {
    /// The words for a reader of `language`.
    pub fn of(language: Language) -> &'static ChannelsText {
        match language {
            Language::ZhCn => &ZH,
            Language::En => &EN,
        }
    }

    pub fn kind(&self, kind: ChannelKind) -> &'static str {
        self.kind_names[kind_index(kind)]
    }

    /// A topic in words.
    pub fn topic(&self, topic: Topic) -> &'static str {
        let i = Topic::LISTENABLE
            .iter()
            .position(|t| *t == topic)
            .unwrap_or(Topic::LISTENABLE.len());
        self.topic_names[i]
    }

    /// A message's topic code (`rota.published`) in words; an unknown one
    /// (from a newer version) as it is.
    pub fn topic_code<'a>(&self, code: &'a str) -> &'a str {
        match Topic::from_code(code) {
            Some(t) => self.topic(t),
            None => code,
        }
    }

    /// A message's status (`pending`, `sent`, `dead`) in words.
    pub fn status<'a>(&self, code: &'a str) -> &'a str {
        match code {
            "pending" => self.statuses[0],
            "sent" => self.statuses[1],
            "dead" => self.statuses[2],
            other => other,
        }
    }

    /// "已尝试 2 次", "2 attempts".
    pub fn attempts(&self, n: i32) -> String {
        if self.language == Language::En {
            if n == 1 {
                "1 attempt".to_owned()
            } else {
                format!("{n} attempts")
            }
        } else {
            format!("已尝试 {n} 次")
        }
    }
}

pub const ZH: ChannelsText = ChannelsText {
    language: Language::ZhCn,
    title: "群机器人和 Webhook",
    nav: "群机器人",
    card_intro: "把排班、值班缺人、紧急占用、停用这些通知发到企业微信、钉钉、飞书工作群，或用 Webhook 发给其他系统。",
    intro: "这里加的群机器人会把本站的通知发到工作群里；Webhook 把事件发给其他系统。地址和密钥保存后不再显示，只能换新的。",
    none_yet: "还没有群机器人或 Webhook。",
    add: "添加群机器人或 Webhook",
    new_title: "添加群机器人或 Webhook",
    back_to_list: "群机器人和 Webhook",
    kind_names: ["企业微信群机器人", "钉钉群机器人", "飞书群机器人", "Webhook"],
    url_hints: [
        "企业微信：群设置 → 群机器人 → 添加，复制 Webhook 地址，形如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
        "钉钉：群设置 → 机器人 → 自定义，复制 Webhook，形如 https://oapi.dingtalk.com/robot/send?access_token=…",
        "飞书：群设置 → 群机器人 → 自定义机器人，复制 webhook 地址，形如 https://open.feishu.cn/open-apis/bot/v2/hook/…",
        "Webhook：接收方以 https:// 开头的地址。",
    ],
    secret_hints: [
        "企业微信群机器人没有密钥，留空。",
        "钉钉：机器人开了“加签”就填它的密钥（以 SEC 开头），没开就留空。",
        "飞书：机器人开了“签名校验”就填它的密钥，没开就留空。",
        "Webhook：必填，8 到 200 个字符，不含空格；用来给每条消息签名，接收方用它验证。",
    ],
    topic_names: [
        "新预约",
        "取消预约",
        "紧急占用（不含原因）",
        "排班发布",
        "排班变动",
        "值班缺人",
        "值班已补上",
        "场地停用",
        "测试消息",
    ],
    statuses: ["等待发送", "已发送", "已放弃"],
    kind_label: "类型：",
    address_label: "地址：",
    secret_label: "密钥：",
    secret_set: "已设置（不显示）",
    secret_none: "没有",
    topics_label: "发送：",
    state_label: "状态：",
    state_on: "开启",
    state_off: "已关闭",
    deliveries_heading: "最近发送",
    no_deliveries: "还没有发送过。",
    last_error: "上次出错：",
    change: "修改",
    send_test: "发送测试消息",
    test_off: "已关闭，打开后才能发送测试消息。",
    remove: "删除",
    created_done: "已添加。可以发一条测试消息，看看群里能不能收到。",
    saved_done: "已保存。",
    removed_done: "已删除。",
    tested_done: "测试消息已排队，几秒钟内发出；结果见“最近发送”。",
    kind_legend: "哪一种？",
    name: "名称",
    name_hint: "自己看的名字，例如：前台群、志愿者群。",
    url: "Webhook 地址",
    new_url: "新的 Webhook 地址",
    secret: "密钥",
    new_secret: "新的密钥",
    no_secret_wecom: "企业微信群机器人没有密钥：它的 key 就在地址里。",
    clear_secret: "去掉已保存的密钥",
    topics_legend: "发送哪些通知",
    topics_default_hint: "一项都不选时：群机器人收到排班、值班、紧急占用和场地停用通知；Webhook 收到全部。",
    active: "开启（发送通知）",
    active_hint: "关闭后不再发送，也不再排队。",
    keep_note: "留空则不变；已保存的地址和密钥不会显示。",
    not_kept_note: "为了安全，刚才填的地址和密钥没有留在表单里，请重新填写。",
    add_button: "添加",
    save: "保存",
    remove_title: "要删除它吗？",
    remove_warning: "删除后不再向它发送任何通知，还没发出的消息和发送记录也一起删除。群里的机器人本身还在，要在群设置里另外移除。",
    remove_confirm: "删除",
    keep: "不删除，返回",
    err_kind: "请选一种。",
    err_name: "请填名称，最多 60 个字。",
    err_name_taken: "本站已有同名的，请换一个名字。",
    err_url: [
        "地址不对：企业微信群机器人的地址形如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…，请在群机器人设置里整段复制。",
        "地址不对：钉钉群机器人的地址形如 https://oapi.dingtalk.com/robot/send?access_token=…，请在机器人设置里整段复制。",
        "地址不对：飞书群机器人的地址形如 https://open.feishu.cn/open-apis/bot/v2/hook/…，请在机器人设置里整段复制。",
        "地址不对：请填以 https:// 开头的互联网地址，不能是本机或内网地址，也不能带用户名和密码。",
    ],
    err_secret_wecom: "企业微信群机器人没有密钥，这一栏请留空。",
    err_secret_required: "Webhook 要有密钥：8 到 200 个字符，不含空格。",
    err_secret: "密钥是 8 到 200 个字符，不含空格。",
    err_topics: "至少选一项。",
};

pub const EN: ChannelsText = ChannelsText {
    language: Language::En,
    title: "Chat robots and webhooks",
    nav: "Chat robots",
    card_intro: "Send notices (rota, duties short of people, urgent moves, closures) to WeCom, DingTalk or Feishu work groups, or to other systems by webhook.",
    intro: "A robot added here posts the site's notices in a work group; a webhook sends events to another system. Addresses and secrets are never shown once saved; they can only be replaced.",
    none_yet: "No robots or webhooks yet.",
    add: "Add a robot or webhook",
    new_title: "Add a robot or webhook",
    back_to_list: "Chat robots and webhooks",
    kind_names: [
        "WeCom group robot",
        "DingTalk group robot",
        "Feishu group robot",
        "Webhook",
    ],
    url_hints: [
        "WeCom: group settings → group robots → add; copy its webhook address, like https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
        "DingTalk: group settings → robots → custom; copy its webhook, like https://oapi.dingtalk.com/robot/send?access_token=…",
        "Feishu: group settings → bots → custom bot; copy its webhook address, like https://open.feishu.cn/open-apis/bot/v2/hook/…",
        "Webhook: the receiver's address, starting with https://.",
    ],
    secret_hints: [
        "A WeCom group robot has no secret; leave it empty.",
        "DingTalk: if the robot signs (加签), give its secret (it starts with SEC); otherwise leave it empty.",
        "Feishu: if the bot checks signatures (签名校验), give its secret; otherwise leave it empty.",
        "Webhook: required, 8 to 200 characters without spaces; every message is signed with it so the receiver can check it.",
    ],
    topic_names: [
        "New bookings",
        "Cancelled bookings",
        "Urgent work moving a booking (without the reason)",
        "Rota published",
        "Rota changed",
        "Duty short of volunteers",
        "Duty covered again",
        "Room or computer closed",
        "Test message",
    ],
    statuses: ["Waiting to be sent", "Sent", "Given up"],
    kind_label: "Kind: ",
    address_label: "Address: ",
    secret_label: "Secret: ",
    secret_set: "set (not shown)",
    secret_none: "none",
    topics_label: "Sends: ",
    state_label: "State: ",
    state_on: "On",
    state_off: "Off",
    deliveries_heading: "Recent messages",
    no_deliveries: "Nothing sent yet.",
    last_error: "Last error: ",
    change: "Change",
    send_test: "Send a test message",
    test_off: "It is off; turn it on to send a test message.",
    remove: "Remove",
    created_done: "Added. Send a test message to see that the group gets it.",
    saved_done: "Saved.",
    removed_done: "Removed.",
    tested_done: "The test message is queued and goes out within seconds; see “Recent messages”.",
    kind_legend: "Which kind?",
    name: "Name",
    name_hint: "For yourselves, such as: Front desk group, Volunteers group.",
    url: "Webhook address",
    new_url: "New webhook address",
    secret: "Secret",
    new_secret: "New secret",
    no_secret_wecom: "A WeCom group robot has no secret: its key is in the address.",
    clear_secret: "Remove the saved secret",
    topics_legend: "Which notices it sends",
    topics_default_hint: "With none ticked: a robot gets the rota, duty, urgent-move and closure notices; a webhook gets everything.",
    active: "On (sends notices)",
    active_hint: "Off: nothing more is sent or queued.",
    keep_note: "Leave empty to keep; saved addresses and secrets are never shown.",
    not_kept_note: "For safety, the address and secret you typed were not kept in the form; give them again.",
    add_button: "Add",
    save: "Save",
    remove_title: "Remove it?",
    remove_warning: "Once removed, nothing more is sent to it, and its unsent messages and record go too. The robot itself stays in the group; remove it in the group's settings.",
    remove_confirm: "Remove",
    keep: "Keep it, go back",
    err_kind: "Choose one.",
    err_name: "Give a name of at most 60 characters.",
    err_name_taken: "This site has one by that name already; choose another name.",
    err_url: [
        "Not a WeCom robot's address: it looks like https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…; copy it whole from the robot's settings.",
        "Not a DingTalk robot's address: it looks like https://oapi.dingtalk.com/robot/send?access_token=…; copy it whole from the robot's settings.",
        "Not a Feishu bot's address: it looks like https://open.feishu.cn/open-apis/bot/v2/hook/…; copy it whole from the bot's settings.",
        "Give an internet address starting with https://, not a local or private one, without a user name or password.",
    ],
    err_secret_wecom: "A WeCom group robot has no secret; leave this empty.",
    err_secret_required: "A webhook needs a secret: 8 to 200 characters without spaces.",
    err_secret: "A secret is 8 to 200 characters without spaces.",
    err_topics: "Choose one at least.",
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind, topic and message status has its own words in both
    /// languages.
    #[test]
    fn every_kind_topic_and_status_has_words() {
        for t in [&ZH, &EN] {
            let mut seen = std::collections::BTreeSet::new();
            for topic in Topic::LISTENABLE.into_iter().chain([Topic::ChannelTest]) {
                assert!(seen.insert(t.topic(topic)), "{topic:?}");
                assert_eq!(t.topic_code(topic.code()), t.topic(topic));
            }
            for kind in ChannelKind::ALL {
                assert!(!t.kind(kind).is_empty());
            }
            for status in ["pending", "sent", "dead"] {
                assert_ne!(t.status(status), status);
            }
        }
        assert_eq!(ZH.kind(ChannelKind::Wecom), "企业微信群机器人");
        assert_eq!(ZH.status("dead"), "已放弃");
        assert_eq!(ZH.attempts(2), "已尝试 2 次");
        assert_eq!(EN.attempts(1), "1 attempt");
        assert_ne!(ZH.topic(Topic::RotaPublished), EN.topic(Topic::RotaPublished));
    }
}
