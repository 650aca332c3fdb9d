module github.com/hookrelay/hookrelay/tools/loopbackguard

go 1.22
