//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! served at `/api-docs/openapi.json` with a vendored Swagger UI.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    admin, auth, availability, bookings, duties, groups, health, members, resources, rota, sites, waitlist,
};
use crate::store::pagination::Page;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "livingroom",
        description = "Shares out the scarce things of a community living room: shared computers, \
                       reception desks, activity rooms and volunteer duty slots. Errors are \
                       application/problem+json (RFC 9457).",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        health::healthz,
        health::readyz,
        health::metrics,
        auth::login,
        auth::refresh,
        auth::logout,
        auth::me,
        auth::change_password,
        auth::accept_invite,
        auth::forgot_password,
        auth::reset_password,
        auth::get_notifications,
        auth::put_notifications,
        admin::list_outbox,
        admin::retry_outbox,
        sites::create_site,
        sites::list_sites,
        sites::get_site,
        sites::update_site,
        members::add_member,
        members::list_members,
        members::get_member,
        members::update_member,
        members::remove_member,
        resources::create_resource,
        resources::list_resources,
        resources::get_resource,
        resources::update_resource,
        resources::retire_resource,
        resources::create_blackout,
        resources::list_blackouts,
        resources::delete_blackout,
        groups::create_group,
        groups::list_groups,
        bookings::create_booking,
        bookings::list_bookings,
        bookings::get_booking,
        bookings::cancel_booking,
        bookings::approve_booking,
        bookings::reject_booking,
        bookings::check_in,
        bookings::get_series,
        bookings::edit_series,
        bookings::cancel_series,
        availability::availability,
        waitlist::list_waitlist,
        waitlist::leave_waitlist,
        waitlist::audit_trail,
        duties::create_duty,
        duties::list_duties,
        duties::sign_up,
        duties::withdraw,
        duties::absence,
        duties::attendance,
        duties::volunteer_hours,
        duties::get_calendar,
        duties::put_calendar,
        rota::put_templates,
        rota::get_templates,
        rota::add_unavailability,
        rota::list_unavailability,
        rota::delete_unavailability,
        rota::generate,
        rota::list_shifts,
        rota::edit_shift,
        rota::publish,
        rota::offer,
        rota::take,
        rota::swaps,
        rota::rota_ics,
        rota::public_rota,
        rota::create_feed,
        rota::revoke_feed,
        rota::personal_feed,
        rota::schedule,
    ),
    components(schemas(
        crate::errors::FieldError,
        Page<sites::SiteView>,
        Page<members::MemberView>,
        Page<resources::ResourceView>,
        Page<groups::GroupView>,
        Page<bookings::BookingView>,
        Page<admin::OutboxView>,
        Page<bookings::WaitlistView>,
        Page<waitlist::AuditView>,
        crate::workflows::bookings::ConflictView,
        crate::domain::booking::Violation,
        crate::domain::booking::Rule,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Signing in and out"),
        (name = "sites", description = "Residents' committees"),
        (name = "members", description = "People and their roles on a site"),
        (name = "resources", description = "Computers, desks and rooms, their rules and blackouts"),
        (name = "groups", description = "Interest groups"),
        (name = "bookings", description = "Bookings, series and availability"),
        (name = "operations", description = "Health and metrics"),
        (name = "admin", description = "Deployment operations (operators)"),
        (name = "duties", description = "Volunteer weekly duty and the site calendar"),
        (name = "rota", description = "The front-desk rota, swaps and calendar feeds"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
