//! The HTTP shell: routes, extractors and response types. Handlers parse
//! the request, call one workflow inside one transaction (reads may go to
//! the store directly), and build the view; no rule of the product lives
//! here.

pub mod admin;
pub mod auth;
pub mod availability;
pub mod bookings;
pub mod calendar_feed;
pub mod channels;
pub mod duties;
pub mod groups;
pub mod health;
pub mod json;
pub mod members;
pub mod openapi;
pub mod query;
pub mod reports;
pub mod resources;
pub mod rota;
pub mod sites;
pub mod views;
pub mod waitlist;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::errors::ApiError;

/// Registers every route. The OpenAPI test checks each one is documented.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(channels::list_channels)
        .service(channels::create_channel)
        .service(channels::get_channel)
        .service(channels::update_channel)
        .service(channels::delete_channel)
        .service(channels::test_channel)
        .service(channels::list_deliveries)
        .service(health::metrics)
        .service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::me)
        .service(auth::change_password)
        .service(auth::accept_invite)
        .service(auth::forgot_password)
        .service(auth::reset_password)
        .service(auth::get_notifications)
        .service(auth::put_notifications)
        .service(auth::put_language)
        .service(auth::patch_me)
        .service(admin::list_outbox)
        .service(admin::retry_outbox)
        .service(sites::create_site)
        .service(sites::list_sites)
        .service(sites::get_site)
        .service(sites::update_site)
        .service(members::add_member)
        .service(members::list_members)
        .service(members::get_member)
        .service(members::update_member)
        .service(members::remove_member)
        .service(resources::create_resource)
        .service(resources::list_resources)
        .service(resources::get_resource)
        .service(resources::update_resource)
        .service(resources::retire_resource)
        .service(resources::create_blackout)
        .service(resources::list_blackouts)
        .service(resources::delete_blackout)
        .service(groups::create_group)
        .service(groups::list_groups)
        .service(bookings::create_booking)
        .service(bookings::list_bookings)
        .service(bookings::get_booking)
        .service(bookings::cancel_booking)
        .service(bookings::approve_booking)
        .service(bookings::reject_booking)
        .service(bookings::check_in)
        .service(bookings::get_series)
        .service(bookings::edit_series)
        .service(bookings::cancel_series)
        .service(availability::availability)
        .service(waitlist::list_waitlist)
        .service(waitlist::leave_waitlist)
        .service(waitlist::audit_trail)
        .service(duties::create_duty)
        .service(duties::list_duties)
        .service(duties::sign_up)
        .service(duties::withdraw)
        .service(duties::absence)
        .service(duties::attendance)
        .service(duties::volunteer_hours)
        .service(duties::get_calendar)
        .service(duties::put_calendar)
        .service(rota::put_templates)
        .service(rota::get_templates)
        .service(rota::add_unavailability)
        .service(rota::list_unavailability)
        .service(rota::delete_unavailability)
        .service(rota::generate)
        .service(rota::list_shifts)
        .service(rota::edit_shift)
        .service(rota::publish)
        .service(rota::offer)
        .service(rota::take)
        .service(rota::list_swaps)
        .service(rota::rota_ics)
        .service(rota::public_rota)
        .service(calendar_feed::create_feed)
        .service(calendar_feed::revoke_feed)
        .service(calendar_feed::personal_feed)
        .service(rota::schedule)
        .service(reports::rooms::rooms_report)
        .service(reports::computers::computers_report)
        .service(admin::set_observer)
        .service(reports::front_desk::front_desk_report)
        .service(reports::volunteers::volunteers_report)
        .service(reports::summary::summary_report)
        .service(reports::summary::sites_summary_report);
}

/// Query strings that do not parse are a 422 naming the parameter.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let message = err.to_string();
        let message = message
            .strip_prefix("Query deserialize error: ")
            .unwrap_or(&message)
            .to_owned();
        let message = json::explain_time(&message).map_or(message, str::to_owned);
        ApiError::invalid("query", message).into()
    })
}

/// Path segments that do not parse (`/bookings/abc`) name nothing: 404.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err, _req| ApiError::not_found("object").into())
}

/// Unknown routes answer problem+json too.
pub async fn no_route(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        crate::errors::ProblemType::NotFound,
        format!("There is no route {} {}.", req.method(), req.path()),
    ))
}
