//! auth-core stores on PostgreSQL, SQLite and MySQL/MariaDB via sqlx.
