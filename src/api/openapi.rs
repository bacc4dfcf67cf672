//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! served at `/api-docs/openapi.json` with a vendored Swagger UI.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use super::reports;
use super::{
    admin, auth, availability, bookings, calendar_feed, channels, duties, groups, health, members, resources,
    rota, sites, waitlist,
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
        auth::put_language,
        auth::patch_me,
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
        rota::list_swaps,
        rota::rota_ics,
        rota::public_rota,
        calendar_feed::create_feed,
        calendar_feed::revoke_feed,
        calendar_feed::personal_feed,
        rota::schedule,
        crate::api::reports::rooms::rooms_report,
        crate::api::reports::computers::computers_report,
        admin::set_observer,
        reports::front_desk::front_desk_report,
        reports::volunteers::volunteers_report,
        reports::summary::summary_report,
        reports::summary::sites_summary_report,
        channels::list_channels,
        channels::create_channel,
        channels::get_channel,
        channels::update_channel,
        channels::delete_channel,
        channels::test_channel,
        channels::list_deliveries,
    ),
    components(schemas(
        crate::errors::FieldError,
        Problem,
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
        channels::WebhookEvent,
    )),
    modifiers(&BearerAuth, &ProblemResponses),
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
        (name = "reports", description = "The reports of the quarterly check"),
        (name = "channels", description = "Group-chat robots (WeCom, DingTalk, Feishu) and signed webhooks of a site"),
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

/// An `application/problem+json` body (RFC 9457). Members beyond these
/// (`conflicts`, `rule`, ...) depend on the `type`.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the body errors.rs writes by hand
struct Problem {
    /// Stable identifier clients branch on, `/problems/<name>`.
    r#type: String,
    /// Fixed summary of the type.
    title: String,
    /// The HTTP status, repeated.
    status: u16,
    /// What went wrong this time, for the person at the screen.
    detail: String,
    /// The offending fields, for `/problems/validation`.
    errors: Option<Vec<crate::errors::FieldError>>,
    /// For 500s: quote it when reporting.
    request_id: Option<String>,
}

/// Documents, on every operation, the problems the shared machinery can
/// answer whatever the handler says: malformed or invalid input, missing or
/// insufficient credentials, unknown path ids, database constraints on
/// writes, oversized or non-JSON bodies, and a briefly unreachable database. Handlers list only their own.
struct ProblemResponses;

impl ProblemResponses {
    fn statuses(path: &str, write: bool, op: &Operation) -> Vec<(&'static str, &'static str)> {
        let params = op.parameters.as_deref().unwrap_or_default();
        let has_input = !params.is_empty() || op.request_body.is_some();
        let has_path_ids = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
        let secured = op
            .security
            .as_deref()
            .is_some_and(|reqs| reqs.iter().any(|r| r != &Default::default()));
        let mut out = Vec::new();
        if has_input {
            out.push(("400", "Malformed request: unreadable JSON, query or path value"));
            out.push(("422", "Invalid input; `errors` names each offending field"));
        }
        if secured {
            out.push(("401", "No valid access token"));
            out.push(("403", "The caller's role does not allow this"));
        }
        if has_path_ids {
            out.push(("404", "No such object on this site, or not visible to the caller"));
        }
        if write {
            // errors.rs maps every constraint the database enforces to 409.
            out.push(("409", "Conflicts with the current state of the site"));
        }
        if op.request_body.is_some() {
            out.push(("413", "Request body over the size limit"));
            out.push(("415", "Request body is not JSON"));
        }
        if path != "/healthz" {
            out.push((
                "503",
                "The database is briefly unreachable; retry after `Retry-After` seconds",
            ));
        }
        out
    }
}

impl Modify for ProblemResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let problem = || {
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(Ref::from_schema_name("Problem"))))
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                (false, &mut item.get),
                (true, &mut item.put),
                (true, &mut item.post),
                (true, &mut item.delete),
                (true, &mut item.patch),
            ];
            for (write, op) in ops {
                let Some(op) = op else { continue };
                for (status, description) in Self::statuses(path, write, op) {
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| {
                            RefOr::T(
                                ResponseBuilder::new()
                                    .description(description)
                                    .content("application/problem+json", problem())
                                    .build(),
                            )
                        });
                }
                // Problems a handler lists itself get the same body schema.
                for response in op.responses.responses.values_mut() {
                    if let RefOr::T(response) = response
                        && let Some(content) = response.content.get_mut("application/problem+json")
                        && content.schema.is_none()
                    {
                        content.schema = Some(RefOr::Ref(Ref::from_schema_name("Problem")));
                    }
                }
            }
        }
    }
}
