export const STATUS_PAGE = '<!doctype html><title>steadfast</title>'
