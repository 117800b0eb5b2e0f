"""The Slack adapter: settings, Block Kit rendering, Bolt listeners, HTTP and Socket Mode.

`bot.adapters.slack_app` is the entry point (`main`, `register`); nothing outside this package and
that module imports slack_bolt or slack_sdk.
"""
