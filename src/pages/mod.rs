//! Server-rendered pages for people, not programs: the web app (sign-in,
//! the social worker's computer journey), the password pages mail links
//! open, and the wall board. No assets from other hosts; every form works
//! without JavaScript.

pub mod accounts;
pub mod board;
pub mod computer;
pub mod frame;
pub mod rooms;
pub mod session;
pub mod text;

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
        .service(board::board)
        .service(frame::css)
        .service(frame::htmx)
        .service(frame::htmx_license)
        .service(frame::icon)
        .service(frame::manifest)
        .service(session::login_form)
        .service(session::login_submit)
        .service(session::logout)
        .service(session::forgot_form)
        .service(session::forgot_submit)
        .service(computer::root)
        .service(computer::home)
        .service(computer::choose)
        .service(computer::book)
        .service(computer::answers::booked)
        .service(computer::answers::waitlisted)
        .service(computer::answers::none_free)
        .service(computer::answers::urgent_preview)
        .service(computer::answers::check_in_booking)
        .service(computer::answers::cancel_booking)
        .service(computer::answers::my_bookings)
        .service(computer::answers::check_in_here_form)
        .service(computer::answers::check_in_here)
        .service(rooms::rooms)
        .service(rooms::mine::mine)
        .service(rooms::mine::cancel_one)
        .service(rooms::mine::cancel_all)
        .service(rooms::book::book_form)
        .service(rooms::book::submit);
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
