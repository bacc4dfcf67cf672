//! Server-rendered pages for people, not programs: the web app (sign-in,
//! the social worker's computer journey), the password pages mail links
//! open, and the wall board. No assets from other hosts; every form works
//! without JavaScript.

pub mod accounts;
pub mod board;
pub mod chart;
pub mod computer;
pub mod console;
pub mod duties;
pub mod frame;
pub mod me;
pub mod qr;
pub mod rooms;
pub mod session;
pub mod shifts;
pub mod text;

use actix_web::web;

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
        .service(me::show)
        .service(me::set_language)
        .service(me::set_notifications)
        .service(me::sign_out_everywhere)
        .service(me::change_password)
        .service(me::feed::make)
        .service(me::feed::back_to_me)
        .service(me::feed::copy_js)
        .service(qr::resource_sign)
        .service(shifts::shifts)
        .service(shifts::offer_form)
        .service(shifts::offer)
        .service(shifts::take)
        .service(duties::list)
        .service(duties::signup)
        .service(duties::dates::mine)
        .service(duties::dates::absence_form)
        .service(duties::dates::absence_submit)
        .service(duties::dates::cover_form)
        .service(duties::dates::cover_submit)
        .service(rooms::rooms)
        .service(rooms::mine::mine)
        .service(rooms::mine::cancel_one)
        .service(rooms::mine::cancel_all)
        .service(rooms::book::book_form)
        .service(rooms::book::submit)
        .service(console::home)
        .service(console::approvals::list)
        .service(console::approvals::decide)
        .service(console::people::list)
        .service(console::people::invite)
        .service(console::people::show)
        .service(console::people::save)
        .service(console::people::remove_form)
        .service(console::people::remove)
        .service(console::duties::list)
        .service(console::duties::record)
        .service(console::calendar::show)
        .service(console::calendar::submit)
        .service(console::audit::csv)
        .service(console::audit::list)
        .service(console::resources::list)
        .service(console::resources::new_form)
        .service(console::resources::create)
        .service(console::resources::edit)
        .service(console::resources::save)
        .service(console::resources::remove_form)
        .service(console::resources::remove)
        .service(console::resources_blackouts::list)
        .service(console::resources_blackouts::add)
        .service(console::resources_blackouts::delete)
        .service(console::rota::show)
        .service(console::rota::save_templates)
        .service(console::rota::generate)
        .service(console::rota::publish)
        .service(console::rota::shift)
        .service(console::rota::save_shift)
        .service(console::duties_new::show)
        .service(console::duties_new::create)
        .service(console::reports::list)
        .service(console::reports::csv)
        .service(console::reports::show)
        .service(console::reports::district::csv)
        .service(console::reports::district::show);
}
