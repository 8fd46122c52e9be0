package storage

import "errors"

// Sentinel errors; only package server turns them into wire text.
var (
	ErrWrongType  = errors.New("wrong type")
	ErrNoSuchKey  = errors.New("no such key")
	ErrNotInteger = errors.New("not an integer")
	ErrOverflow   = errors.New("overflow")
)
