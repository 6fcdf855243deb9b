// The kit hands out the loopback sshd (``RigSupport/withRig(listenAddress:namespace:extraConfig:authorizedKeyOptions:files:loginUser:systemRoot:_:)``)
// and reads the process table: a test that imports the kit sees them without importing their target.
@_exported import LoopbackSSH
