"""Report intake (SPEC §5): read a file or JSON into rows, validate them, store a version.

Three doors, one pipeline: `report_upload` for files (xlsx or eCPR XML, by content),
`report_submit` for JSON lines and "no work this month".
"""
