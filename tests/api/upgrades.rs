//! Upgrading a database that already holds data: a migration that
//! reshapes rows keeps what they meant.

use diesel::connection::SimpleConnection;
use livingroom::db::{DatabaseUrl, backend, migrate};
use livingroom::domain::person::Language;
use livingroom::mail::content::{Attachment, Content};
use livingroom::store::outbox;

use crate::helpers::empty_database;

/// Migrations before the outbox kept notes (migration 10).
const BEFORE_NOTES: usize = 9;

#[test]
fn mail_queued_before_the_outbox_kept_notes_is_sent_as_it_was_laid_out() {
    let (url, _database) = empty_database();
    let url = DatabaseUrl::parse(&url).unwrap();
    let mut conn = backend::establish(&url).unwrap();
    assert_eq!(migrate::run_first(&mut conn, BEFORE_NOTES).unwrap(), BEFORE_NOTES);
    // Two messages waiting in the old shape: finished bodies, one with a
    // calendar attachment. The text has a line break and a quote, which
    // the conversion to JSON must carry.
    conn.batch_execute(
        "INSERT INTO outbox (event_key, message_id, kind, user_id, to_address, language, subject,
                             body_text, body_html, attachment_name, attachment_type, attachment,
                             next_attempt_at, created_at)
         VALUES ('old-1', '<old-1@livingroom.test>', 'booking_confirmed', NULL, 'a@example.org', 'en',
                 'Booked: PC 1', 'Hello \"Mei\",
see you', '<p>Hello</p>', 'booking.ics', 'text/calendar; charset=utf-8', 'BEGIN:VCALENDAR',
                 '2026-12-01 01:00:00', '2026-12-01 01:00:00'),
                ('old-2', '<old-2@livingroom.test>', 'password_reset', NULL, 'b@example.org', 'zh-CN',
                 '重置密码', '重置', '<p>重置</p>', NULL, NULL, NULL,
                 '2026-12-01 01:00:00', '2026-12-01 01:00:00')",
    )
    .unwrap();
    assert!(migrate::run(&mut conn).unwrap() >= 1);

    let rows = outbox::list(&mut conn, None, 0, 10).unwrap();
    assert_eq!(rows.len(), 2);
    let first = Content::parse(&rows[0].content).unwrap().bodies(Language::En);
    assert_eq!(first.text, "Hello \"Mei\",\nsee you");
    assert_eq!(first.html, "<p>Hello</p>");
    assert_eq!(
        first.attachment,
        Some(Attachment {
            file_name: "booking.ics".into(),
            media_type: "text/calendar; charset=utf-8".into(),
            content: "BEGIN:VCALENDAR".into(),
        })
    );
    let second = Content::parse(&rows[1].content).unwrap().bodies(Language::ZhCn);
    assert_eq!((second.text.as_str(), second.attachment), ("重置", None));
    assert_eq!(rows[1].subject, "重置密码");
    assert_eq!(rows[1].status, "pending");
}

/// Two instances started at the same moment on a new database (a first
/// `docker compose up`) both come up, sharing the key they generated. The
/// second used to exit: its insert of the key failed on the first's, and
/// PostgreSQL refused the read after it in the aborted transaction.
#[tokio::test]
async fn two_instances_starting_at_once_on_a_new_database_both_come_up() {
    for _ in 0..3 {
        let (url, _database) = empty_database();
        let mail = tempfile::tempdir().unwrap();
        let settings = livingroom::config::Settings {
            database_url: url,
            bind: "127.0.0.1:0".to_owned(),
            jwt_secret: None,
            pool_size: 2,
            workers: 1,
            mail_dir: mail.path().display().to_string(),
            ..livingroom::config::Settings::default()
        };
        let (a, b) = tokio::join!(
            livingroom::startup::Application::build(settings.clone()),
            livingroom::startup::Application::build(settings)
        );
        let (a, b) = (a.expect("the first instance"), b.expect("the second instance"));
        let (token, _) = a.state().jwt.issue(1, 1, chrono::Utc::now()).unwrap();
        assert!(
            b.state().jwt.verify(&token).is_ok(),
            "both sign with the same key"
        );
    }
}
