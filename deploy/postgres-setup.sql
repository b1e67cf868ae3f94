-- Run once as the PostgreSQL superuser: sudo -u postgres psql -f deploy/postgres-setup.sql
-- Then set the password: sudo -u postgres psql -c "\password patenbot"
CREATE ROLE patenbot LOGIN;
CREATE DATABASE patenbot OWNER patenbot ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE patenbot FROM PUBLIC;
\connect patenbot
-- The bot's tables and Rasa's tracker table live in the public schema, owned by patenbot.
ALTER SCHEMA public OWNER TO patenbot;
