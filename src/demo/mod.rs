//! The demo site, built from DOMAIN.md: a committee in the "shared office"
//! mode, its social workers, its secretary, volunteers with skills and the
//! leaders of its interest groups. Loading is idempotent.

use crate::auth::password;
use crate::clock;
use crate::db::Db;
use crate::domain::person::{Language, Roles};
use crate::domain::policy::Caller;
use crate::domain::resource::{OpeningHours, ResourceKind, Rules};
use crate::notify::Notifier;
use crate::store::access::site_access;
use crate::store::resources::{self, ResourceFields};
use crate::store::{groups, sites, users};
use crate::workflows::members::{self, NewMember};

mod bookings;
mod calendar;
mod duties;
mod rota;

pub const DEMO_SLUG: &str = "demo";
pub const DEMO_PASSWORD: &str = "livingroom-demo";
pub const OPERATOR_EMAIL: &str = "operator@livingroom.example";
pub const ADMIN_EMAIL: &str = "secretary@livingroom.example";

/// One demo person: e-mail, name (as they give it), the name in English,
/// roles, skills, senior.
type Person = (
    &'static str,
    &'static str,
    &'static str,
    Roles,
    &'static [&'static str],
    bool,
);

const PEOPLE: &[Person] = &[
    (
        ADMIN_EMAIL,
        "王书记",
        "Secretary Wang",
        Roles::ADMIN.union(Roles::STAFF),
        &[],
        true,
    ),
    (
        "qian.kai@livingroom.example",
        "钱凯",
        "Qian Kai",
        Roles::STAFF,
        &["mediation", "security"],
        true,
    ),
    (
        "li.na@livingroom.example",
        "李娜",
        "Li Na",
        Roles::STAFF,
        &["pension"],
        true,
    ),
    (
        "zhang.wei@livingroom.example",
        "张伟",
        "Zhang Wei",
        Roles::STAFF,
        &["care-insurance"],
        true,
    ),
    (
        "liu.yang@livingroom.example",
        "刘洋",
        "Liu Yang",
        Roles::STAFF,
        &[],
        false,
    ),
    (
        "chen.jing@livingroom.example",
        "陈静",
        "Chen Jing",
        Roles::STAFF,
        &[],
        true,
    ),
    (
        "yang.fan@livingroom.example",
        "杨帆",
        "Yang Fan",
        Roles::STAFF,
        &[],
        false,
    ),
    (
        "zhao.min@livingroom.example",
        "赵敏",
        "Zhao Min",
        Roles::STAFF,
        &[],
        false,
    ),
    (
        "sun.lei@livingroom.example",
        "孙磊",
        "Sun Lei",
        Roles::STAFF,
        &[],
        false,
    ),
    (
        "chen.mei@livingroom.example",
        "陈梅",
        "Dr Chen Mei",
        Roles::VOLUNTEER,
        &["medical"],
        false,
    ),
    (
        "huang.yi@livingroom.example",
        "黄医生",
        "Dr Huang",
        Roles::VOLUNTEER,
        &["medical"],
        false,
    ),
    (
        "zhou.lawyer@livingroom.example",
        "周律师",
        "Lawyer Zhou",
        Roles::VOLUNTEER,
        &["legal"],
        false,
    ),
    (
        "wu.shifu@livingroom.example",
        "吴师傅",
        "Master Wu",
        Roles::VOLUNTEER,
        &["labour"],
        false,
    ),
    (
        "qipao.lead@livingroom.example",
        "林阿姨",
        "Auntie Lin",
        Roles::GROUP_LEADER,
        &[],
        false,
    ),
    (
        "calligraphy.lead@livingroom.example",
        "徐老师",
        "Teacher Xu",
        Roles::GROUP_LEADER,
        &[],
        false,
    ),
    (
        "knitting.lead@livingroom.example",
        "郑阿姨",
        "Auntie Zheng",
        Roles::GROUP_LEADER,
        &[],
        false,
    ),
];

/// name, kind, pool, capacity, features
type Thing = (
    &'static str,
    ResourceKind,
    Option<&'static str>,
    Option<i32>,
    &'static [&'static str],
);

const THINGS: &[Thing] = &[
    (
        "共享电脑 1 Shared computer 1",
        ResourceKind::Computer,
        Some("computers"),
        None,
        &[],
    ),
    (
        "共享电脑 2 Shared computer 2",
        ResourceKind::Computer,
        Some("computers"),
        None,
        &[],
    ),
    (
        "共享电脑 3 Shared computer 3",
        ResourceKind::Computer,
        Some("computers"),
        None,
        &["printer"],
    ),
    (
        "接待台 A Reception post A",
        ResourceKind::Desk,
        Some("reception"),
        None,
        &[],
    ),
    (
        "接待台 B Reception post B",
        ResourceKind::Desk,
        Some("reception"),
        None,
        &[],
    ),
    (
        "阅览室 Reading room",
        ResourceKind::Room,
        None,
        Some(20),
        &["books"],
    ),
    (
        "旗袍室 Qipao room",
        ResourceKind::Room,
        None,
        Some(15),
        &["mirrors", "piano"],
    ),
    (
        "健康小屋 Blood-pressure corner",
        ResourceKind::Room,
        None,
        Some(3),
        &["blood-pressure-monitor"],
    ),
    ("谈心室 Talk room", ResourceKind::Room, None, Some(4), &[]),
    (
        "多功能厅 Multi-function room",
        ResourceKind::Room,
        None,
        Some(90),
        &["projector", "sound-system"],
    ),
];

/// group name, leader e-mail
const GROUPS: &[(&str, &str)] = &[
    ("旗袍班 Qipao class", "qipao.lead@livingroom.example"),
    ("书法班 Calligraphy class", "calligraphy.lead@livingroom.example"),
    ("编织班 Knitting class", "knitting.lead@livingroom.example"),
];

pub struct DemoInfo {
    /// False when the demo site already existed and nothing was loaded.
    pub created: bool,
}

impl DemoInfo {
    pub fn describe(&self, url: &str) -> String {
        let mut out = String::new();
        out.push_str(if self.created {
            "Demo site loaded.\n"
        } else {
            "Demo site already present.\n"
        });
        out.push_str(&format!(
            "  web app:      {url}/  (sign in with an account below)\n"
        ));
        out.push_str(&format!("  site:         {url}/api/v1/sites/{DEMO_SLUG}\n"));
        out.push_str(&format!(
            "  password:     {DEMO_PASSWORD} (for every demo account)\n"
        ));
        out.push_str(&format!("  operator:     {OPERATOR_EMAIL}\n"));
        for (email, name, other_name, roles, _, _) in PEOPLE {
            let roles: Vec<String> = roles
                .to_vec()
                .iter()
                .map(|r| {
                    serde_json::to_value(r)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                })
                .collect();
            out.push_str(&format!(
                "  {:<14}{email}  ({name} {other_name})\n",
                format!("{}:", roles.join("+"))
            ));
        }
        out.push_str(&format!(
            "Try:\n  curl -s {url}/api/v1/auth/login -H 'content-type: application/json' \\\n    -d '{{\"email\":\"{ADMIN_EMAIL}\",\"password\":\"{DEMO_PASSWORD}\"}}'\n"
        ));
        out
    }
}

/// Loads the demo site unless it is there already.
pub fn load(db: &Db) -> anyhow::Result<DemoInfo> {
    let hash = password::hash(DEMO_PASSWORD)?;
    let now = clock::now_naive();
    db.write_blocking(|conn| {
        if sites::by_slug(conn, DEMO_SLUG)?.is_some() {
            return Ok(DemoInfo { created: false });
        }
        if users::by_email(conn, OPERATOR_EMAIL)?.is_none() {
            users::insert(
                conn,
                &users::NewUser {
                    email: OPERATOR_EMAIL,
                    name: "Operator",
                    other_name: None,
                    password_hash: Some(&hash),
                    language: Language::En,
                    is_operator: true,
                },
                now,
            )?;
        }
        let site = sites::insert(
            conn,
            DEMO_SLUG,
            "长征镇示范居委会 Demo Committee",
            "Asia/Shanghai",
            now,
        )?;
        for (email, name, other_name, roles, skills, senior) in PEOPLE {
            let existing = users::by_email(conn, email)?;
            members::add_to_site(
                conn,
                site.id,
                NewMember {
                    email: (*email).to_owned(),
                    name: (*name).to_owned(),
                    other_name: Some((*other_name).to_owned()),
                    roles: *roles,
                    skills: skills.iter().map(|s| (*s).to_owned()).collect(),
                    password_hash: existing.is_none().then(|| hash.clone()),
                    senior: *senior,
                    language: Language::ZhCn,
                },
                now,
            )?;
        }
        let room_hours: std::collections::BTreeMap<String, Vec<String>> =
            ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                .iter()
                .map(|d| ((*d).to_owned(), vec!["08:00-21:00".to_owned()]))
                .collect();
        let room_hours = OpeningHours::parse(&room_hours)?;
        for (name, kind, pool, capacity, features) in THINGS {
            let fields = ResourceFields {
                name: (*name).to_owned(),
                kind: *kind,
                pool: pool.map(str::to_owned),
                capacity: *capacity,
                features: features.iter().map(|f| (*f).to_owned()).collect(),
                opening_hours: (*kind == ResourceKind::Room).then(|| room_hours.clone()),
                // The hall for 90 is booked only with the secretary's
                // approval, so the demo shows a request waiting for her.
                rules: Rules {
                    requires_approval: name.starts_with("多功能厅"),
                    ..Rules::defaults_for(*kind)
                },
            };
            resources::insert(conn, site.id, &fields, now)?;
        }
        for (name, leader) in GROUPS {
            let leader =
                users::by_email(conn, leader)?.ok_or_else(|| crate::errors::ApiError::not_found("leader"))?;
            groups::insert(conn, site.id, name, leader.id, now)?;
        }
        let now = clock::now();
        let secretary = users::by_email(conn, ADMIN_EMAIL)?
            .ok_or_else(|| crate::errors::ApiError::not_found("secretary"))?;
        let as_secretary = site_access(
            conn,
            DEMO_SLUG,
            Caller {
                user_id: secretary.id,
                operator: false,
                observer: false,
            },
        )?;
        calendar::load(conn, &as_secretary, now)?;
        rota::load(conn, DEMO_SLUG, ADMIN_EMAIL, now)?;
        duties::load(conn, DEMO_SLUG, ADMIN_EMAIL)?;
        bookings::load(conn, DEMO_SLUG, &Notifier::new(rota::MAIL_URL), now)?;
        Ok(DemoInfo { created: true })
    })
    .map_err(|e| anyhow::anyhow!("loading the demo: {e}"))
}
