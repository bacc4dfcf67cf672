//! QR codes as inline SVG (no image requests, no inline style: the CSP
//! allows neither), and the printable check-in sign of a computer.

use actix_web::{HttpResponse, get, web};
use maud::{Markup, PreEscaped, html};
use qrcode::{Color, EcLevel, QrCode};

use super::frame::{Nav, layout, ok};
use super::session::{PageError, PageUser};
use crate::state::AppState;
use crate::workflows::me;

/// Blank modules around the code, as the standard asks, so a scanner
/// finds its edge on any background.
const QUIET: usize = 4;

/// `url` as a QR code in SVG, named `label` for screen readers. Medium
/// error correction: a sign taped to a computer gets scuffed.
pub fn svg(url: &str, label: &str) -> Markup {
    let Ok(code) = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M) else {
        // Longer than a QR code holds: the link is written beside it anyway.
        return html! {};
    };
    let width = code.width();
    let size = width + 2 * QUIET;
    // One rectangle per run of dark modules in a row: a fifth of the size
    // of one square per module.
    let colors = code.to_colors();
    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] != Color::Dark {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] == Color::Dark {
                x += 1;
            }
            let run = x - start;
            path.push_str(&format!("M{} {}h{run}v1h-{run}z", start + QUIET, y + QUIET));
        }
    }
    html! {
        svg.qr xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {size} {size}"))
            role="img" aria-label=(label) shape-rendering="crispEdges" {
            rect width=(size) height=(size) fill="#fff" {}
            path d=(PreEscaped(path)) fill="#000" {}
        }
    }
}

/// The check-in address a computer's sign carries: the page that checks
/// her in when she opens it signed in.
pub fn check_in_url(public_url: &str, slug: &str, resource_id: i64) -> String {
    format!(
        "{}/s/{slug}/check-in/{resource_id}",
        public_url.trim_end_matches('/')
    )
}

/// A computer's sign to print and tape beside it: its name, the QR code
/// large, and the address written out for whoever cannot scan.
#[get("/s/{site}/resources/{id}/qr")]
pub async fn resource_sign(
    state: web::Data<AppState>,
    user: PageUser,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, PageError> {
    let (slug, id) = path.into_inner();
    let (caller, site) = (user.clone(), slug.clone());
    let (site_name, name) = state
        .db
        .read(move |conn| me::printable_resource(conn, &site, &caller, id))
        .await
        .map_err(|e| PageError::Api(user.language, e))?;
    let t = user.text();
    let s = &t.settings;
    let url = check_in_url(&state.notifier.public_url, &slug, id);
    Ok(ok(layout(
        t,
        &name,
        &Nav::of(&user, Some(&slug)),
        html! {
            div.sign {
                p.sign-site { (site_name) }
                h1 { (name) }
                p.sign-lead { (s.sign_lead) }
                (svg(&url, &format!("{} {}", s.qr_of, name)))
                p.sign-url { (url) }
                p.sign-hint { (s.sign_hint) }
            }
            p.no-print { (s.print_hint) }
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_square_with_its_quiet_zone_and_no_style() {
        let out = svg("http://127.0.0.1:8080/s/demo/check-in/1", "code").into_string();
        assert!(out.starts_with("<svg class=\"qr\""), "{out}");
        assert!(out.contains("viewBox=\"0 0 37 37\""), "{out}");
        assert!(!out.contains("style"), "{out}");
        assert!(
            out.contains("M4 4h7v1h-7z"),
            "the finder pattern's top edge: {out}"
        );
    }

    #[test]
    fn the_check_in_address_has_one_slash() {
        assert_eq!(
            check_in_url("https://lr.example/", "demo", 7),
            "https://lr.example/s/demo/check-in/7"
        );
    }
}
