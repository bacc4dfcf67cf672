//! The outbox forgets what it sent long ago, and only that: messages still
//! to send and dead ones wait for their sending or an operator.

use std::time::Duration;

use diesel::prelude::*;

use crate::helpers::{TestApp, spawn_app_with};
use livingroom::db::schema::{outbox, scheduled_jobs};

/// Queues a message with `key`, then gives it `status`, as sent (or last
/// tried) `days_ago`.
async fn message(app: &TestApp, key: &'static str, status: &'static str, days_ago: i64) {
    app.db
        .write(move |conn| {
            let then = livingroom::clock::now_naive() - chrono::Duration::days(days_ago);
            livingroom::store::outbox::enqueue(
                conn,
                &livingroom::store::outbox::NewMail {
                    event_key: key,
                    message_id: &format!("<{key}@livingroom.test>"),
                    kind: "booking_confirmed",
                    user_id: None,
                    to_address: "someone@example.org",
                    language: "en",
                    subject: key,
                    content: "{}",
                },
                then,
            )?;
            diesel::update(outbox::table.filter(outbox::event_key.eq(key)))
                .set((
                    outbox::status.eq(status),
                    outbox::next_attempt_at.eq(then),
                    outbox::sent_at.eq((status == "sent").then_some(then)),
                ))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();
}

async fn keys(app: &TestApp) -> Vec<String> {
    app.db
        .read(|conn| {
            Ok(outbox::table
                .order(outbox::event_key)
                .select(outbox::event_key)
                .load::<String>(conn)?)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn sent_messages_older_than_the_kept_days_are_forgotten_and_nothing_else() {
    let app = spawn_app_with(|s| {
        s.outbox_keep_days = 30;
        s.scheduler_tick_millis = 50;
    })
    .await;
    message(&app, "sent-long-ago", "sent", 31).await;
    message(&app, "sent-lately", "sent", 29).await;
    message(&app, "dead-long-ago", "dead", 200).await;

    // The job's first run may have come before the rows; once it is done,
    // the next run is made due now.
    let mut ran = None;
    for _ in 0..100 {
        ran = app
            .db
            .read(|conn| livingroom::store::jobs::last_run(conn, "outbox_prune"))
            .await
            .unwrap();
        if ran.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ran.is_some(), "the prune job never ran");
    app.db
        .write(|conn| {
            diesel::update(scheduled_jobs::table.filter(scheduled_jobs::name.eq("outbox_prune")))
                .set(scheduled_jobs::next_run_at.eq(livingroom::clock::now_naive()))
                .execute(conn)?;
            Ok(())
        })
        .await
        .unwrap();

    let mut left = keys(&app).await;
    for _ in 0..100 {
        if !left.iter().any(|k| k == "sent-long-ago") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        left = keys(&app).await;
    }
    assert_eq!(left, ["dead-long-ago", "sent-lately"]);
}

/// A run forgets batch by batch, oldest first, and the kept days cannot be
/// set below the floor that keeps an event from being told twice.
#[tokio::test]
async fn pruning_goes_batch_by_batch_oldest_first_and_keeps_at_least_the_floor() {
    let app = spawn_app_with(|s| s.scheduler_tick_millis = 60_000).await;
    let batch = livingroom::workflows::outbox::PRUNE_BATCH;
    let sent = |key: String, days: i64, minutes: i64| {
        let then = livingroom::clock::now_naive()
            - chrono::Duration::days(days)
            - chrono::Duration::minutes(minutes);
        (
            outbox::event_key.eq(key.clone()),
            outbox::message_id.eq(format!("<{key}@livingroom.test>")),
            outbox::kind.eq("booking_confirmed"),
            outbox::to_address.eq("someone@example.org"),
            outbox::language.eq("en"),
            outbox::subject.eq("old"),
            outbox::content.eq("{}"),
            outbox::status.eq("sent"),
            outbox::attempts.eq(1),
            outbox::next_attempt_at.eq(then),
            outbox::created_at.eq(then),
            outbox::sent_at.eq(Some(then)),
        )
    };
    let rows: Vec<_> = (0..batch + 3)
        .map(|i| sent(format!("old-{i:04}"), 40, i))
        .chain([sent("lately".to_owned(), 20, 0)])
        .collect();
    let (first, left, second, third) = app
        .db
        .write(move |conn| {
            for row in rows {
                diesel::insert_into(outbox::table).values(row).execute(conn)?;
            }
            let now = livingroom::clock::now_naive();
            // Asked to keep 1 day, it keeps 30.
            let first = livingroom::workflows::outbox::prune_sent(conn, now, 1)?;
            let left: Vec<String> = outbox::table
                .order(outbox::event_key)
                .select(outbox::event_key)
                .load(conn)?;
            let second = livingroom::workflows::outbox::prune_sent(conn, now, 1)?;
            let third = livingroom::workflows::outbox::prune_sent(conn, now, 1)?;
            Ok((first, left, second, third))
        })
        .await
        .unwrap();
    assert_eq!(first as i64, batch);
    assert_eq!(left, ["lately", "old-0000", "old-0001", "old-0002"]);
    assert_eq!((second, third), (3, 0));
}
