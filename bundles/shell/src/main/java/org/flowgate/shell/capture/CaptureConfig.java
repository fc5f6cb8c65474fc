package org.flowgate.shell.capture;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Flowgate packet capture", description = "Settings of router:capture")
public @interface CaptureConfig {
    @AttributeDefinition(name = "Snap length", description = "Bytes kept of each frame (longer frames are cut, as tcpdump -s)", min = "64", max = "262144")
    int snaplen() default 65535;

    @AttributeDefinition(name = "Queue size", description = "Frames waiting to be written per capture; more are dropped and counted", min = "16")
    int queue_size() default 8192;
}
