//! Password hashing (argon2id) and the password policy.
//!
//! Rules of this module:
//! - hashes are PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) made with the parameters below, set
//!   explicitly: the `argon2` crate's defaults are below OWASP's recommendation and could change under us;
//! - hashing and verifying are CPU- and memory-bound (tens of milliseconds, [`MEMORY_KIB`] each), so they run on
//!   tokio's blocking pool, at most one per core at a time, through a bounded queue ([`HashQueue`]): at most
//!   [`MAX_WAITING`] more wait for a core, and anything beyond is refused at once ([`PasswordError::Busy`]) without
//!   hashing. A burst of guesses thus neither exhausts memory nor starves the runtime, and cannot make everyone's
//!   sign-in wait behind it for seconds: the most a sign-in waits is [`MAX_WAITING`] hashes shared among the cores;
//! - a place in the queue is held until the hash is done, even if the request that asked for it has gone;
//! - verifying reads the parameters from the stored hash, so hashes made with older parameters still verify;
//!   [`needs_rehash`] tells when one should be replaced.

use std::sync::{Arc, LazyLock, OnceLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Memory cost in KiB. OWASP's Password Storage Cheat Sheet recommends argon2id with at least m = 19456 KiB
/// (19 MiB), t = 2, p = 1 (or an equivalent trade-off such as 46 MiB with t = 1). We take twice the memory at the
/// same time cost: m = 39936 KiB (39 MiB), t = 2, p = 1 costs about 2× the minimum against a GPU attacker, yet one
/// hash stays well under 100 ms on one core of a small server, and with one hash per core at a time (see
/// [`HashQueue`]) a 2-core machine never holds more than about 80 MiB for hashing.
pub const MEMORY_KIB: u32 = 39_936;
/// Time cost (passes over memory); OWASP's minimum at 19 MiB is 2.
pub const ITERATIONS: u32 = 2;
/// Lanes. The server hashes one password per core at a time, so parallelism inside one hash buys nothing.
pub const PARALLELISM: u32 = 1;
// Lowering the parameters below OWASP's minimum (m = 19456 KiB, t = 2, p = 1) does not compile.
const _: () = assert!(MEMORY_KIB >= 19_456 && ITERATIONS >= 2 && PARALLELISM >= 1);

/// Length of the derived hash in bytes.
pub const OUTPUT_LEN: usize = 32;

/// Shortest password accepted by the policy.
pub const MIN_CHARS: usize = 10;
/// Longest password accepted: enough for any pass phrase, short enough that hashing cost stays bounded.
pub const MAX_CHARS: usize = 128;

/// How many hashes may wait for a core, beyond the one running on each core.
pub const MAX_WAITING: usize = 32;

/// A hashing or verification failure: a bug, a corrupt stored hash, a broken worker, or a full queue; never a
/// wrong password.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The queue of hashes is full: the request was refused without hashing (try again shortly).
    #[error("密码校验请求过多，请稍后再试")]
    Busy,
    #[error("密码摘要计算失败：{0}")]
    Hash(String),
    #[error("存储的密码摘要无法解析：{0}")]
    Malformed(String),
    #[error("系统随机数源不可用：{0}")]
    Random(String),
    #[error("密码处理任务异常中止：{0}")]
    Worker(String),
}

fn hasher() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, Some(OUTPUT_LEN))
        .map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A bounded queue of password hashes: `workers` run at a time on the blocking pool, at most `waiting` more wait
/// for one of them, and anyone beyond is refused at once.
#[derive(Debug)]
pub struct HashQueue {
    /// A permit per hash running.
    workers: Arc<Semaphore>,
    /// A permit per hash running or waiting.
    places: Arc<Semaphore>,
}

/// A place in a [`HashQueue`], held from [`HashQueue::enter`] until the hash it was taken for is done.
#[derive(Debug)]
pub struct HashTicket {
    place: OwnedSemaphorePermit,
    workers: Arc<Semaphore>,
}

impl HashQueue {
    pub fn new(workers: usize, waiting: usize) -> Self {
        let workers = workers.max(1);
        Self { workers: Arc::new(Semaphore::new(workers)), places: Arc::new(Semaphore::new(workers + waiting)) }
    }

    /// A place in the queue, or [`PasswordError::Busy`] at once when every place is taken.
    pub fn enter(&self) -> Result<HashTicket, PasswordError> {
        let place = self.places.clone().try_acquire_owned().map_err(|_| PasswordError::Busy)?;
        Ok(HashTicket { place, workers: self.workers.clone() })
    }
}

impl HashTicket {
    /// Runs `work` on the blocking pool once a worker is free; the place is given back when `work` has finished,
    /// even if the caller stopped waiting for it.
    pub async fn run<T: Send + 'static>(
        self,
        work: impl FnOnce() -> Result<T, PasswordError> + Send + 'static,
    ) -> Result<T, PasswordError> {
        let HashTicket { place, workers } = self;
        let worker = workers.acquire_owned().await.map_err(|e| PasswordError::Worker(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let _held = (place, worker);
            work()
        })
        .await
        .map_err(|e| PasswordError::Worker(e.to_string()))?
    }

    /// Whether `password` matches the stored PHC string.
    pub async fn verify(self, password: String, phc: String) -> Result<bool, PasswordError> {
        self.run(move || verify_blocking(&password, &phc)).await
    }

    /// Verifies `password` against a hash of a random password made once per process with the current
    /// parameters, and returns `false`: used for an unknown user, so that the answer takes as long as for a known
    /// one.
    pub async fn verify_against_dummy(self, password: String) -> Result<bool, PasswordError> {
        self.run(move || {
            let dummy = match DUMMY_HASH.get() {
                Some(dummy) => dummy,
                None => {
                    let mut secret = [0u8; 32];
                    getrandom::fill(&mut secret).map_err(|e| PasswordError::Random(e.to_string()))?;
                    let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
                    let made = hash_blocking(&secret)?;
                    DUMMY_HASH.get_or_init(|| made)
                }
            };
            verify_blocking(&password, dummy)?;
            Ok(false)
        })
        .await
    }

    /// Hashes a password with a fresh random salt. Returns the PHC string to store.
    pub async fn hash(self, password: String) -> Result<String, PasswordError> {
        self.run(move || hash_blocking(&password)).await
    }
}

/// The queue every hash of this process goes through: one worker per core, [`MAX_WAITING`] waiting.
static QUEUE: LazyLock<HashQueue> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    HashQueue::new(cores, MAX_WAITING)
});

/// A place in the process's hashing queue, or [`PasswordError::Busy`] at once: taken before anything else is done
/// for a request that will hash, so that a refused request costs nothing.
pub fn enter_queue() -> Result<HashTicket, PasswordError> {
    QUEUE.enter()
}

fn hash_blocking(password: &str) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| PasswordError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(hasher()?.hash_password(password.as_bytes(), &salt).map_err(|e| PasswordError::Hash(e.to_string()))?.to_string())
}

fn verify_blocking(password: &str, phc: &str) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(phc).map_err(|e| PasswordError::Malformed(e.to_string()))?;
    if parsed.algorithm != argon2::ARGON2ID_IDENT {
        return Err(PasswordError::Malformed(format!("algorithm {}", parsed.algorithm)));
    }
    if parsed.hash.is_none() || parsed.salt.is_none() {
        return Err(PasswordError::Malformed("no salt or no hash".into()));
    }
    match hasher()?.verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(PasswordError::Malformed(e.to_string())),
    }
}

/// Hashes a password with a fresh random salt, off the async runtime, through the queue. Returns the PHC string
/// to store.
pub async fn hash_password(password: String) -> Result<String, PasswordError> {
    enter_queue()?.hash(password).await
}

/// Whether `password` matches the stored PHC string, off the async runtime, through the queue.
pub async fn verify_password(password: String, phc: String) -> Result<bool, PasswordError> {
    enter_queue()?.verify(password, phc).await
}

/// The hash of a random password that unknown users are verified against ([`HashTicket::verify_against_dummy`]).
static DUMMY_HASH: OnceLock<String> = OnceLock::new();

/// [`HashTicket::verify_against_dummy`] through the queue.
pub async fn verify_against_dummy(password: String) -> Result<bool, PasswordError> {
    enter_queue()?.verify_against_dummy(password).await
}

/// Whether a stored hash was made with other parameters than today's (or another algorithm) and should be
/// replaced the next time the password is known.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return true };
    let Ok(params) = Params::try_from(&parsed) else { return true };
    parsed.algorithm != argon2::ARGON2ID_IDENT
        || parsed.version != Some(Version::V0x13.into())
        || params.m_cost() != MEMORY_KIB
        || params.t_cost() != ITERATIONS
        || params.p_cost() != PARALLELISM
        || params.output_len() != Some(OUTPUT_LEN)
}

/// One rule of the password policy that a password breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PolicyProblem {
    #[error("密码至少需要{MIN_CHARS}个字符")]
    TooShort,
    #[error("密码不能超过{MAX_CHARS}个字符")]
    TooLong,
    #[error("密码不能与用户名相同")]
    SameAsUsername,
    #[error("密码不能只由一类字符组成，请混合使用大写字母、小写字母、数字和符号中的至少两类")]
    OneCharacterClass,
}

/// A password that breaks the policy, with every rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("；"))]
pub struct PasswordPolicyError(pub Vec<PolicyProblem>);

/// The password policy: at least [`MIN_CHARS`] characters (at most [`MAX_CHARS`]), not the user name, and not all
/// of one character class (lower-case letters, upper-case letters, digits, anything else). No composition rule
/// beyond that and no expiry, following NIST SP 800-63B: length is what makes a password strong.
pub fn check_policy(username: &str, password: &str) -> Result<(), PasswordPolicyError> {
    let mut problems = Vec::new();
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        problems.push(PolicyProblem::TooShort);
    }
    if chars > MAX_CHARS {
        problems.push(PolicyProblem::TooLong);
    }
    if password.trim().to_lowercase() == username.trim().to_lowercase() {
        problems.push(PolicyProblem::SameAsUsername);
    }
    let class = |c: char| {
        if c.is_ascii_lowercase() {
            0
        } else if c.is_ascii_uppercase() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            3
        }
    };
    let mut classes = password.chars().map(class);
    if let Some(first) = classes.next() {
        if classes.all(|c| c == first) {
            problems.push(PolicyProblem::OneCharacterClass);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(PasswordPolicyError(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_is_argon2id_with_the_explicit_parameters_and_verifies_only_the_right_password() {
        let phc = hash_password("Zhang-San-2024".into()).await.unwrap();
        assert!(phc.starts_with(&format!("$argon2id$v=19$m={MEMORY_KIB},t={ITERATIONS},p={PARALLELISM}$")), "{phc}");
        assert!(verify_password("Zhang-San-2024".into(), phc.clone()).await.unwrap());
        assert!(!verify_password("zhang-san-2024".into(), phc.clone()).await.unwrap());
        assert!(!needs_rehash(&phc));
        let again = hash_password("Zhang-San-2024".into()).await.unwrap();
        assert_ne!(phc, again, "every hash has its own salt");
    }

    #[tokio::test]
    async fn a_hash_made_with_weaker_parameters_still_verifies_but_needs_rehashing() {
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(4096, 1, 1, None).unwrap());
        let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
        let phc = weak.hash_password(b"Old-Password-1", &salt).unwrap().to_string();
        assert!(verify_password("Old-Password-1".into(), phc.clone()).await.unwrap());
        assert!(needs_rehash(&phc));
        assert!(needs_rehash("not a hash"));
    }

    #[tokio::test]
    async fn a_malformed_stored_hash_is_an_error_not_a_wrong_password() {
        for stored in ["not a hash", "$argon2id$garbage", "$argon2id$v=19$m=19456,t=2,p=1$", "$2b$12$abcdefghijk"] {
            let outcome = verify_password("whatever-1234".into(), stored.into()).await;
            assert!(matches!(outcome, Err(PasswordError::Malformed(_))), "{stored}: {outcome:?}");
        }
    }

    #[test]
    fn a_full_queue_refuses_at_once_and_takes_again_when_a_place_is_given_back() {
        let queue = HashQueue::new(1, 2);
        let running = queue.enter().unwrap();
        let waiting = [queue.enter().unwrap(), queue.enter().unwrap()];
        let refused = queue.enter().unwrap_err();
        assert!(matches!(refused, PasswordError::Busy));
        assert_eq!(refused.to_string(), "密码校验请求过多，请稍后再试");
        drop(running);
        let again = queue.enter().expect("a place was given back");
        assert!(matches!(queue.enter(), Err(PasswordError::Busy)));
        drop((waiting, again));
        assert!(queue.enter().is_ok());
    }

    #[tokio::test]
    async fn a_place_is_held_until_its_hash_is_done_even_when_nobody_waits_for_it() {
        let queue = HashQueue::new(1, 0);
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (started, has_started) = tokio::sync::oneshot::channel::<()>();
        let ticket = queue.enter().unwrap();
        let work = tokio::spawn(ticket.run(move || {
            let _ = started.send(());
            released.recv().map_err(|e| PasswordError::Worker(e.to_string()))
        }));
        has_started.await.unwrap();
        // The caller gives up (a client that disconnected): the hash still runs, and still holds its place.
        work.abort();
        assert!(matches!(queue.enter(), Err(PasswordError::Busy)));
        release.send(()).unwrap();
        let mut entered = queue.enter();
        while entered.is_err() {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            entered = queue.enter();
        }
        let ticket = entered.unwrap();
        assert!(ticket.verify("x".into(), "not a hash".into()).await.is_err(), "and the next one runs");
    }

    #[tokio::test]
    async fn the_dummy_verification_never_succeeds() {
        assert!(!verify_against_dummy("anything-at-all-1".into()).await.unwrap());
        assert!(!verify_against_dummy(String::new()).await.unwrap());
    }

    #[test]
    fn the_policy_wants_ten_characters_of_two_classes_that_are_not_the_user_name() {
        assert_eq!(check_policy("zhangsan", "Tianjin-2024"), Ok(()));
        assert_eq!(check_policy("zhangsan", "海关政务公开标准化2024"), Ok(()));
        assert_eq!(check_policy("zhangsan", "Ab1-"), Err(PasswordPolicyError(vec![PolicyProblem::TooShort])));
        assert_eq!(
            check_policy("zhangsan", "abcdefghijkl"),
            Err(PasswordPolicyError(vec![PolicyProblem::OneCharacterClass]))
        );
        assert!(check_policy("zhangsan", "1234567890").is_err());
        assert!(check_policy("zhangsan", "海关政务公开标准化规范化").is_err(), "CJK alone is one class");
        assert_eq!(
            check_policy("admin.tj2024", "Admin.TJ2024"),
            Err(PasswordPolicyError(vec![PolicyProblem::SameAsUsername]))
        );
        assert_eq!(check_policy("u", &"aB".repeat(65)), Err(PasswordPolicyError(vec![PolicyProblem::TooLong])));
    }

    #[test]
    fn a_policy_error_lists_every_problem_in_chinese() {
        let error = check_policy("aaa", "aaa").unwrap_err();
        assert_eq!(
            error.to_string(),
            "密码至少需要10个字符；密码不能与用户名相同；密码不能只由一类字符组成，请混合使用大写字母、小写字母、数字和符号中的至少两类"
        );
    }
}
