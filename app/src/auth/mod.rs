//! Accounts, roles and sessions: the pure rules and primitives of access control (server only).
//!
//! - [`roles`]: the five roles, grants bound to an office of the right kind, and the scope of a signed-in
//!   [`Principal`](roles::Principal) in the office hierarchy as of a date;
//! - [`username`]: user names and display names, parsed once at the edge;
//! - [`password`]: argon2id hashing with explicit parameters, off the async runtime through a bounded queue, and
//!   the password policy;
//! - [`tokens`]: random session tokens and API tokens, stored only as SHA-256;
//! - [`throttle`]: the rule that delays password guesses after repeated failures (never a lock), and the alerts
//!   it raises, as pure functions;
//! - [`session`]: session lifetimes, the cookie, and CSRF tokens;
//! - [`current`]: the caller of the current request, as the server's middleware resolved it.
//!
//! Nothing here touches the database or HTTP: the use cases live in
//! [`services::accounts`](crate::services::accounts), the SQL in [`store`](crate::store).

pub mod current;
pub mod password;
pub mod roles;
pub mod session;
pub mod throttle;
pub mod tokens;
pub mod username;

pub use roles::{Grant, GrantError, Hierarchy, Principal, Role};
pub use username::{DisplayName, Username};
