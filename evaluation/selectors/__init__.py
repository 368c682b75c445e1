"""Reads of the evaluation centre shared by views, jobs and the dashboard, one module per part."""
