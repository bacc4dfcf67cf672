//! Account mail: invitations and password resets. Security mail, so it
//! goes out whatever the person turned off.

use chrono::NaiveDateTime;

use super::{Notifier, greeting, security_footer};
use crate::auth::secret;
use crate::db::DbConn;
use crate::errors::ApiError;
use crate::mail::templates::{Kind, Note};
use crate::store::sites::Site;
use crate::store::users::User;
use crate::words::Words;

/// What tells one link's mail from another's in its event key, and so in
/// its Message-ID and `.eml` file name: part of the token's hash, never of
/// the token (a Message-ID is copied into headers, logs and replies).
fn token_free_key(token: &str) -> String {
    secret::hash(token).chars().take(16).collect()
}

impl Notifier {
    pub fn invitation(
        &self,
        conn: &mut DbConn,
        user: &User,
        site: &Site,
        token: &str,
        expires: NaiveDateTime,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let w = Words::new(user.language());
        let link = format!("{}/accept-invite?token={token}", self.public_url);
        let expires = w.instant(site.tz(), expires.and_utc());
        // Someone with an account joins with the password they have; the
        // link only asks for it, it never sets one.
        let (paragraph, action) = if user.password_hash.is_some() {
            (
                w.pick(
                    format!("{} 邀请您加入。如果愿意加入，请点击下面的链接，并输入您现有的密码确认（链接在 {} 之前有效，只能使用一次）。如果不愿意，请忽略此邮件。", site.name, expires),
                    format!("{} has invited you to join. To accept, follow the link and confirm with the password you already have (valid until {}, once). If you do not want to join, ignore this mail.", site.name, expires),
                ),
                w.pick("接受邀请", "Accept the invitation"),
            )
        } else {
            (
                w.pick(
                    format!("{} 邀请您使用社区公共客厅的预约系统。请点击下面的链接设置密码（链接在 {} 之前有效，只能使用一次）。", site.name, expires),
                    format!("{} has invited you to the living room's booking service. Follow the link to set your password (valid until {}, once).", site.name, expires),
                ),
                w.pick("设置密码", "Set your password"),
            )
        };
        let note = Note {
            subject: w.pick(
                format!("邀请您加入 {}", site.name),
                format!("You are invited to {}", site.name),
            ),
            greeting: greeting(w, &user.name),
            paragraphs: vec![paragraph],
            link: Some((action, link)),
            footer: security_footer(w, &site.name),
            ..Note::default()
        };
        let key = format!("invitation-{}-{}", user.id, token_free_key(token));
        self.tell(conn, user, Kind::Invitation, &key, note, now)
    }

    pub fn password_reset(
        &self,
        conn: &mut DbConn,
        user: &User,
        token: &str,
        now: NaiveDateTime,
    ) -> Result<bool, ApiError> {
        let w = Words::new(user.language());
        let link = format!("{}/reset-password?token={token}", self.public_url);
        let note = Note {
            subject: w.pick("重置密码", "Reset your password"),
            greeting: greeting(w, &user.name),
            paragraphs: vec![w.pick(
                "有人（希望是您本人）请求重置您的密码。链接一小时内有效，只能使用一次。如果不是您，请忽略此邮件。",
                "Someone (we hope you) asked to reset your password. The link works once, for one hour. If it was not you, ignore this mail.",
            )],
            link: Some((w.pick("重置密码", "Reset password"), link)),
            footer: security_footer(w, "livingroom"),
            ..Note::default()
        };
        let key = format!("password-reset-{}-{}", user.id, token_free_key(token));
        self.tell(conn, user, Kind::PasswordReset, &key, note, now)
    }
}
