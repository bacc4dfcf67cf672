//! Her room bookings with their outcome (pending approval, confirmed, not
//! approved), a weekly series together under one heading; cancel one date
//! or every later date of a series.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, post, web};
use maud::{Markup, html};
use serde::Deserialize;

use super::{fail, page};
use crate::clock;
use crate::domain::booking::BookingStatus;
use crate::pages::frame::see_other;
use crate::pages::session::{PageError, PageUser};
use crate::state::AppState;
use crate::store::access::site_access;
use crate::words::Words;
use crate::workflows::bookings::{cancel, cancel_series};
use crate::workflows::room_series::{self, MyRoomBooking};

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn status(user: &PageUser, b: &MyRoomBooking) -> Markup {
    let r = &user.text().rooms;
    match b.booking.status() {
        BookingStatus::Pending => html! { span.badge.pending { (r.status_pending) } },
        BookingStatus::Rejected => html! { span.badge.rejected { (r.status_rejected) } },
        _ => html! { span.badge.confirmed { (r.status_confirmed) } },
    }
}

fn one(
    user: &PageUser,
    slug: &str,
    tz: chrono_tz::Tz,
    b: &MyRoomBooking,
    now: chrono::DateTime<chrono::Utc>,
) -> Markup {
    let r = &user.text().rooms;
    let when =
        Words::new(user.language).range(tz, b.booking.starts_at.and_utc(), b.booking.ends_at.and_utc());
    let cancellable = b.booking.status().is_active() && b.booking.starts_at.and_utc() > now;
    html! {
        li.date-row {
            span.when { (when) }
            (status(user, b))
            @if cancellable {
                form method="post" action=(format!("/s/{slug}/rooms/bookings/{}/cancel", b.booking.id)) {
                    input type="hidden" name="csrf" value=(user.csrf);
                    button.secondary type="submit" aria-label=(format!("{} {when}", r.cancel_one)) { (r.cancel_one) }
                }
            }
        }
    }
}

#[get("/s/{site}/rooms/mine")]
pub async fn mine(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<String>,
    q: web::Query<Done>,
) -> Result<HttpResponse, PageError> {
    let slug = path.into_inner();
    let (caller, site, now) = (user.clone(), slug.clone(), clock::now());
    let (tz, mine) = state
        .db
        .read(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            Ok((access.site.tz(), room_series::mine(conn, &access, now)?))
        })
        .await
        .map_err(fail(&user))?;
    let t = user.text();
    let r = &t.rooms;
    let done = match q.done.as_deref() {
        Some("booked") => Some(r.booked_done),
        Some("pending") => Some(r.booked_pending),
        Some("cancelled") => Some(r.cancelled_one),
        Some("series-cancelled") => Some(r.cancelled_series),
        _ => None,
    };
    // A series under one heading, in the order of its first date; single
    // bookings each on their own.
    let mut series: BTreeMap<i64, Vec<&MyRoomBooking>> = BTreeMap::new();
    let mut cards: Vec<(Option<i64>, Vec<&MyRoomBooking>)> = Vec::new();
    for b in &mine {
        match b.booking.series_id {
            Some(s) => {
                if !series.contains_key(&s) {
                    cards.push((Some(s), Vec::new()));
                }
                series.entry(s).or_default().push(b);
            }
            None => cards.push((None, vec![b])),
        }
    }
    let words = Words::new(user.language);
    Ok(page(
        &user,
        &slug,
        r.my_room_bookings,
        html! {
            h1 { (r.my_room_bookings) }
            @if let Some(d) = done { p.notice role="status" { (d) } }
            p { a.button href=(format!("/s/{slug}/rooms")) { (r.book_a_room) } }
            @if mine.is_empty() { p { (r.no_bookings) } }
            ul.plain.my-rooms {
                @for (sid, singles) in &cards {
                    @let items: &Vec<&MyRoomBooking> = match sid { Some(s) => &series[s], None => singles };
                    @let first = items[0];
                    li.card {
                        h2.booking-title {
                            (first.room)
                            @if let Some(g) = &first.group { " · " (g) }
                        }
                        @if let Some(s) = sid {
                            @let start = first.booking.starts_at.and_utc().with_timezone(&tz);
                            @let end = first.booking.ends_at.and_utc().with_timezone(&tz);
                            p.series {
                                (r.weekly_at(words.weekday(start.date_naive()), &start.format("%H:%M").to_string(), &end.format("%H:%M").to_string()))
                            }
                            ul.plain { @for b in items { (one(&user, &slug, tz, b, now)) } }
                            @if items.iter().any(|b| b.booking.status().is_active() && b.booking.starts_at.and_utc() > now) {
                                form method="post" action=(format!("/s/{slug}/rooms/series/{s}/cancel")) {
                                    input type="hidden" name="csrf" value=(user.csrf);
                                    button.secondary type="submit" { (r.cancel_series) }
                                }
                            }
                        } @else {
                            ul.plain { (one(&user, &slug, tz, first, now)) }
                        }
                    }
                }
            }
        },
    ))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// Cancels one date (hers): the same workflow as the API's DELETE.
#[post("/s/{site}/rooms/bookings/{id}/cancel")]
pub async fn cancel_one(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    let (caller, site, now, notifier) = (user.clone(), slug.clone(), clock::now(), state.notifier.clone());
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            cancel(conn, &access, id, &notifier, now).map(|_| ())
        })
        .await
        .map_err(fail(&user))?;
    Ok(see_other(&format!("/s/{slug}/rooms/mine?done=cancelled")))
}

/// Cancels every date of a series that has not started.
#[post("/s/{site}/rooms/series/{id}/cancel")]
pub async fn cancel_all(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
    f: web::Form<CsrfOnly>,
) -> Result<HttpResponse, PageError> {
    user.check(&f.csrf)?;
    let (slug, id) = path.into_inner();
    let (caller, site, now, notifier) = (user.clone(), slug.clone(), clock::now(), state.notifier.clone());
    state
        .db
        .write(move |conn| {
            let access = site_access(conn, &site, &caller)?;
            cancel_series(conn, &access, id, None, &notifier, now).map(|_| ())
        })
        .await
        .map_err(fail(&user))?;
    Ok(see_other(&format!("/s/{slug}/rooms/mine?done=series-cancelled")))
}
