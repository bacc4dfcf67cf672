//! Sign-in: passwords, access tokens (JWT), refresh tokens, and the
//! extractor that turns a bearer token into the calling user.

pub mod client;
pub mod extractor;
pub mod flows;
pub mod limits;
pub mod password;
pub mod secret;
pub mod tokens;

pub use extractor::{AuthUser, Bearer};
pub use tokens::JwtKeys;
