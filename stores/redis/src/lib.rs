//! auth-core stores on Redis.
