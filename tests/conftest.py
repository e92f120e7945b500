"""Test setup: offline, project-local Prefect before anything imports it."""

from flows.prefect_env import configure_prefect_env

configure_prefect_env()
