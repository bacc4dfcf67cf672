//! Server-rendered pages for people, not programs: setting a password from
//! an invitation or a reset link (and, later, the wall board). No
//! JavaScript, no assets from other hosts.

pub mod accounts;
pub mod board;

use actix_web::web;
use maud::{DOCTYPE, Markup, html};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(accounts::invite_form)
        .service(accounts::invite_submit)
        .service(accounts::reset_form)
        .service(accounts::reset_submit)
        .service(board::css)
        .service(board::js)
        .service(board::icon)
        .service(board::favicon)
        .service(board::week)
        .service(board::board);
}

/// The shared frame: readable type, high contrast, fits a phone.
pub fn layout(lang: &str, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (maud::PreEscaped(BASE_CSS)) }
            }
            body { main { (body) } }
        }
    }
}

const BASE_CSS: &str = "body{font-family:system-ui,'Noto Sans CJK SC','PingFang SC',sans-serif;font-size:20px;\
line-height:1.5;margin:0;background:#fff;color:#111}main{max-width:32rem;margin:2rem auto;padding:0 1rem}\
label{display:block;margin-top:1rem;font-weight:600}input{font-size:20px;width:100%;box-sizing:border-box;\
padding:.5rem;border:2px solid #333;border-radius:4px}button{margin-top:1.5rem;font-size:20px;padding:.6rem 1.2rem;\
background:#0b5394;color:#fff;border:0;border-radius:4px}.error{color:#a00;font-weight:600}";
