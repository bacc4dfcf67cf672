//! The web app's frame: the page layout, the security headers every page
//! sends, and the assets served from the binary (style sheet, htmx, the
//! manifest and icon that let a phone put the app on its home screen).

use std::sync::LazyLock;

use actix_web::http::StatusCode;
use actix_web::http::header::ACCEPT_ENCODING;
use actix_web::{HttpRequest, HttpResponse, get};
use maud::{DOCTYPE, Markup, html};

use super::session::PageUser;
use super::text::Text;
use crate::domain::person::Roles;

const CSS: &str = include_str!("assets/app.css");
const HTMX: &str = include_str!("assets/htmx.min.js");
const HTMX_LICENSE: &str = include_str!("assets/htmx.LICENSE");
const ICON: &str = include_str!("assets/icon.svg");

/// Scripts only from this server and never inline; htmx's own indicator
/// style is turned off (see `HTMX_CONFIG`) so styles need no exception.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; \
connect-src 'self'; manifest-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; \
object-src 'none'";

/// htmx swaps error answers too, so a refusal's words reach the page
/// (by default it drops 4xx/5xx bodies), and injects no inline style.
const HTMX_CONFIG: &str = r#"{"includeIndicatorStyles":false,"allowScriptTags":false,"responseHandling":[{"code":"204","swap":false},{"code":"...","swap":true}]}"#;

/// Where the person is, for the navigation: signed in at a site or not.
pub struct Nav<'a> {
    pub site: Option<&'a str>,
    pub name: Option<&'a str>,
    pub csrf: Option<&'a str>,
    /// Her roles at `site`: the links are the things she does there.
    pub roles: Roles,
}

impl<'a> Nav<'a> {
    pub const NONE: Nav<'static> = Nav {
        site: None,
        name: None,
        csrf: None,
        roles: Roles {
            admin: false,
            staff: false,
            volunteer: false,
            group_leader: false,
        },
    };

    /// Signed in, at `site` (or choosing one).
    pub fn of(user: &'a PageUser, site: Option<&'a str>) -> Nav<'a> {
        let roles = site
            .and_then(|slug| user.sites.iter().find(|(s, _)| s == slug))
            .map(|(_, roles)| *roles)
            .unwrap_or_default();
        Nav {
            site,
            name: Some(&user.name),
            csrf: Some(&user.csrf),
            roles,
        }
    }

    /// The links of the navigation, in the order shown: home first, the
    /// person's own page last; the rest by role, so a volunteer is not
    /// shown computers and a group leader not the reception rota.
    fn links(&self, t: &Text) -> Vec<(String, &'static str)> {
        let Some(site) = self.site else {
            return vec![("/".to_owned(), t.home), ("/me".to_owned(), t.me)];
        };
        let r = self.roles;
        let mut links = vec![(format!("/s/{site}"), t.home)];
        if r.staff || r.admin {
            links.push((format!("/s/{site}/computer"), t.use_computer));
        }
        if r.group_leader || r.admin {
            links.push((format!("/s/{site}/rooms"), t.rooms_nav));
        }
        if r.staff || r.admin || r.group_leader {
            links.push((format!("/s/{site}/bookings"), t.my_bookings));
        }
        if r.staff {
            links.push((format!("/s/{site}/shifts"), t.shifts_nav));
        }
        if r.volunteer {
            links.push((format!("/s/{site}/duties"), t.duties_nav));
        }
        if r.admin {
            links.push((format!("/s/{site}/console"), t.console.nav));
        }
        links.push(("/me".to_owned(), t.me));
        links
    }
}

pub fn layout(t: &Text, title: &str, nav: &Nav<'_>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(t.lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="htmx-config" content=(HTMX_CONFIG);
                meta name="theme-color" content="#0b5394";
                title { (title) " · " (t.app_name) }
                link rel="stylesheet" href="/assets/app.css";
                link rel="manifest" href="/manifest.webmanifest";
                link rel="icon" type="image/svg+xml" href="/assets/icon.svg";
                link rel="apple-touch-icon" href="/assets/icon.svg";
                script src="/assets/htmx.min.js" defer {}
            }
            body hx-boost="true" {
                a.skip href="#main" { (t.skip) }
                header.top {
                    a.brand href="/" { (t.app_name) }
                    @if let Some(name) = nav.name { span.who { (name) } }
                    @if let Some(csrf) = nav.csrf {
                        form.out method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(csrf);
                            button.link type="submit" { (t.sign_out) }
                        }
                    }
                }
                @if nav.csrf.is_some() {
                    nav.bottom aria-label=(t.app_name) {
                        @for (href, label) in nav.links(t) { a href=(href) { (label) } }
                    }
                }
                main #main { (body) }
            }
        }
    }
}

/// An HTML answer with the headers every page sends. Signed-in pages are
/// never stored: a shared committee PC's back button must not show the
/// last person's bookings.
pub fn respond(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", CSP))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Vary", "Cookie, Accept-Language"))
        .body(markup.into_string())
}

pub fn ok(markup: Markup) -> HttpResponse {
    respond(StatusCode::OK, markup)
}

/// See-other after a form: the browser shows the next page with a GET, so
/// reloading never sends the form twice.
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", to))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .finish()
}

/// A file of the binary, sent gzipped when the browser takes it: htmx is
/// 52 KB as written and about 16 KB gzipped, most of the first visit's
/// weight on a phone. Each file is compressed once, on first use. Pages
/// themselves go uncompressed: they carry the session's CSRF token beside
/// text a visitor can choose, which is what BREACH needs.
struct Asset {
    content_type: &'static str,
    body: &'static str,
    gzipped: LazyLock<Vec<u8>>,
}

macro_rules! asset {
    ($name:ident, $content_type:expr, $body:expr) => {
        static $name: Asset = Asset {
            content_type: $content_type,
            body: $body,
            gzipped: LazyLock::new(|| gzip($body.as_bytes())),
        };
    };
}

asset!(CSS_ASSET, "text/css; charset=utf-8", CSS);
asset!(HTMX_ASSET, "text/javascript; charset=utf-8", HTMX);
asset!(HTMX_LICENSE_ASSET, "text/plain; charset=utf-8", HTMX_LICENSE);
asset!(ICON_ASSET, "image/svg+xml", ICON);

fn gzip(body: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

fn takes_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            name.eq_ignore_ascii_case("gzip") && !refused
        })
}

fn serve(req: &HttpRequest, asset: &'static Asset) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    res.content_type(asset.content_type)
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Vary", "Accept-Encoding"));
    if takes_gzip(req) {
        res.insert_header(("Content-Encoding", "gzip"))
            .body(asset.gzipped.as_slice())
    } else {
        res.body(asset.body)
    }
}

#[get("/assets/app.css")]
pub async fn css(req: HttpRequest) -> HttpResponse {
    serve(&req, &CSS_ASSET)
}

#[get("/assets/htmx.min.js")]
pub async fn htmx(req: HttpRequest) -> HttpResponse {
    serve(&req, &HTMX_ASSET)
}

/// htmx's licence travels with the copy of it the binary serves.
#[get("/assets/htmx.LICENSE")]
pub async fn htmx_license(req: HttpRequest) -> HttpResponse {
    serve(&req, &HTMX_LICENSE_ASSET)
}

#[get("/assets/icon.svg")]
pub async fn icon(req: HttpRequest) -> HttpResponse {
    serve(&req, &ICON_ASSET)
}

#[get("/manifest.webmanifest")]
pub async fn manifest() -> HttpResponse {
    let body = serde_json::json!({
        "name": "客厅预约 Living room bookings",
        "short_name": "客厅预约",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5394",
        "lang": "zh-CN",
        "icons": [{"src": "/assets/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"}]
    });
    HttpResponse::Ok()
        .content_type("application/manifest+json")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(body.to_string())
}

/// A field and what is wrong with it, in the reader's words; the field ""
/// is the whole form. `M` is `&'static str` for fixed sentences, `String`
/// where a refusal's own words are kept.
pub type FieldErrors<M = &'static str> = Vec<(&'static str, M)>;

/// What is wrong with `field`, if anything.
pub fn error_of<'a, M: AsRef<str>>(errors: &'a [(&'static str, M)], field: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_ref())
}

/// The id of `field`'s error, for `aria-describedby`, when it has one.
pub fn described<M: AsRef<str>>(errors: &[(&'static str, M)], field: &str) -> Option<String> {
    error_of(errors, field).map(|_| format!("{field}-error"))
}

/// A labelled field with its error (if any) between label and input, so a
/// screen reader and a hurried eye meet the error before the box.
pub fn field<M: AsRef<str>>(errors: &[(&'static str, M)], name: &str, label: &str, input: Markup) -> Markup {
    let error = error_of(errors, name);
    html! {
        div.field.has-error[error.is_some()] {
            label for=(name) { (label) }
            @if let Some(m) = error { p.error id=(format!("{name}-error")) { (m) } }
            (input)
        }
    }
}

/// The list of mistakes atop a form, each linked to its field; nothing
/// when there are none.
pub fn error_summary<M: AsRef<str>>(heading: &str, errors: &[(&'static str, M)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                h2 { (heading) }
                ul {
                    @for (f, m) in errors {
                        @if f.is_empty() { li { (m.as_ref()) } }
                        @else { li { a href=(format!("#{f}")) { (m.as_ref()) } } }
                    }
                }
            }
        }
    }
}
